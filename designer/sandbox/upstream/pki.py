"""The certificates and keys a throw-away control plane needs, made fresh at each start.

One CA signs the API server's serving certificate (for 127.0.0.1 and localhost) and the client
certificates (the admin in ``system:masters``, kube-controller-manager, the simulated kubelet); a
separate RSA key pair signs service-account tokens. Static bearer tokens (a random one per user) go in
kube-apiserver's token file. Everything is written to one folder with owner-only permissions.

Uses the ``cryptography`` library (imported only here). Caller: designer.sandbox.upstream.controlplane.
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=30)


@dataclass(frozen=True, slots=True)
class ClientCredential:
    """A client certificate and its key (PEM files)."""

    cert: Path
    key: Path


@dataclass(frozen=True, slots=True)
class Pki:
    """Paths of everything ``make`` wrote."""

    ca_cert: Path
    ca_key: Path
    serving: ClientCredential
    service_account_key: Path
    service_account_pub: Path
    token_file: Path
    clients: dict[str, ClientCredential]
    tokens: dict[str, str]


def _write(path: Path, data: bytes) -> Path:
    path.touch(mode=0o600)
    path.write_bytes(data)
    return path


def _key_pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _name(common: str, organization: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(parts)


def _builder(
    subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey
) -> x509.CertificateBuilder:
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + VALIDITY)
    )


@dataclass(frozen=True, slots=True)
class Authority:
    """A CA that can sign leaf certificates."""

    cert: Path
    key_path: Path
    name: x509.Name
    key: ec.EllipticCurvePrivateKey

    def issue(
        self, folder: Path, stem: str, subject: x509.Name, usage: x509.ObjectIdentifier, hosts: bool
    ) -> ClientCredential:
        """A certificate for ``subject`` (server or client ``usage``; ``hosts``: valid for 127.0.0.1)."""
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            _builder(subject, self.name, key)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if hosts:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.DNSName("kubernetes.default.svc"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
        cert = builder.sign(self.key, hashes.SHA256())
        return ClientCredential(
            _write(folder / f"{stem}.crt", cert.public_bytes(serialization.Encoding.PEM)),
            _write(folder / f"{stem}.key", _key_pem(key)),
        )


def authority(folder: Path) -> Authority:
    """A fresh CA in ``folder`` (created owner-only)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("designer-sandbox-ca")
    ca = (
        _builder(name, name, key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    cert = _write(folder / "ca.crt", ca.public_bytes(serialization.Encoding.PEM))
    return Authority(cert, _write(folder / "ca.key", _key_pem(key)), name, key)


def serving(folder: Path) -> tuple[Authority, ClientCredential]:
    """A CA and a serving certificate for 127.0.0.1 signed by it (the emulator's TLS)."""
    ca = authority(folder)
    return ca, ca.issue(folder, "server", _name("designer-sandbox"), ExtendedKeyUsageOID.SERVER_AUTH, True)


def make(folder: Path, clients: dict[str, tuple[str, str | None]], token_users: dict[str, str | None]) -> Pki:
    """Write a CA, a serving certificate, client certificates and tokens into ``folder``.

    ``clients`` maps a file stem to (user name, group) of a client certificate; ``token_users`` maps
    a user name to its group (None: no group) for a random bearer token each.
    """
    ca = authority(folder)
    served = ca.issue(folder, "apiserver", _name("kube-apiserver"), ExtendedKeyUsageOID.SERVER_AUTH, True)
    issued = {
        stem: ca.issue(folder, stem, _name(user, group), ExtendedKeyUsageOID.CLIENT_AUTH, False)
        for stem, (user, group) in clients.items()
    }
    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sa_private = _write(folder / "service-account.key", _key_pem(sa_key))
    sa_public = _write(
        folder / "service-account.pub",
        sa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
    tokens = {user: secrets.token_urlsafe(32) for user in token_users}
    lines = [
        f"{tokens[user]},{user},{user}" + (f',"{group}"' if group else "")
        for user, group in token_users.items()
    ]
    token_file = _write(folder / "tokens.csv", ("\n".join(lines) + "\n").encode())
    return Pki(ca.cert, ca.key_path, served, sa_private, sa_public, token_file, issued, tokens)
