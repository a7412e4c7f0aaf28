"""An HTTP session for one Kubernetes API, with the credentials its kubeconfig gives (CA, client
certificate, bearer token): plain ``requests``, so the scenarios see exactly what the server sends
(status, body, every ``Warning`` header) and nothing a client library would reshape.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests
from kubernetes import client, config


@dataclass
class Endpoint:
    """Where to send a scenario's requests."""

    engine: str
    url: str
    session: requests.Session

    def close(self) -> None:
        self.session.close()


def endpoint(engine: str, kubeconfig: Path, context: str | None = None) -> Endpoint:
    """An `Endpoint` for the kubeconfig's (current) context, authenticated as it says."""
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(kubeconfig), context=context, client_configuration=configuration)
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the kubeconfig's CA, proxies must not apply
    session.verify = configuration.ssl_ca_cert or configuration.verify_ssl
    if configuration.cert_file and configuration.key_file:
        session.cert = (configuration.cert_file, configuration.key_file)
    token = configuration.api_key.get("authorization") or configuration.api_key.get("BearerToken")
    if token:
        session.headers["Authorization"] = token if token.startswith("Bearer ") else f"Bearer {token}"
    session.headers["User-Agent"] = "designer-fidelity/1.0"
    # Up to a few dozen scenarios talk to one server at once.
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=32)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return Endpoint(engine, configuration.host.rstrip("/"), session)
