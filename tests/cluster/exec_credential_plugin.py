"""A kubeconfig exec credential plugin for the tests: prints an ExecCredential, as `aws eks get-token`
or `kubelogin` do, and records each run (what it was given) in a log, one JSON line per run.

    python exec_credential_plugin.py --log RUNS [--token-file F | --cert F --key F]
        [--expires-in SECONDS] [--bad-first] [--api-version V]

--token-file: the bearer token to hand out is read from F at each run (a test can rotate it);
--cert/--key: hand out a client certificate instead; --expires-in: add an expirationTimestamp;
--bad-first: the first run hands out a token the server refuses (a revoked credential).
Run by designer.cluster.execplugin through a kubeconfig's users[].user.exec; only the standard library.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--token-file", type=Path)
    parser.add_argument("--cert", type=Path)
    parser.add_argument("--key", type=Path)
    parser.add_argument("--expires-in", type=float)
    parser.add_argument("--bad-first", action="store_true")
    parser.add_argument("--api-version", default="client.authentication.k8s.io/v1")
    args = parser.parse_args()
    runs = args.log.read_text().splitlines() if args.log.exists() else []
    record = {
        "info": json.loads(os.environ.get("KUBERNETES_EXEC_INFO", "null")),
        "stdin_is_terminal": os.isatty(0),
        "stdin": "closed"
        if sys.stdin is None
        else ("eof" if not os.isatty(0) and sys.stdin.read() == "" else "data"),
        "env": os.environ.get("DESIGNER_PLUGIN_SETTING"),
    }
    with args.log.open("a") as log:
        log.write(json.dumps(record) + "\n")
    status: dict[str, str] = {}
    if args.cert is not None and args.key is not None:
        status["clientCertificateData"] = args.cert.read_text()
        status["clientKeyData"] = args.key.read_text()
    elif args.bad_first and not runs:
        status["token"] = "revoked-token"
    elif args.token_file is not None:
        status["token"] = args.token_file.read_text().strip()
    if args.expires_in is not None:
        expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=args.expires_in)
        status["expirationTimestamp"] = expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    print(json.dumps({"apiVersion": args.api_version, "kind": "ExecCredential", "status": status}))


if __name__ == "__main__":
    main()
