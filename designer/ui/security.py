"""Who may talk to a `design ui` server, and what every response promises the browser.

- A random token (or the one from ``--token-file``) is required on every request except the
  front end's static files. The printed URL carries it once (``/?token=…``): the server answers with
  a SameSite=Strict, HttpOnly cookie and a redirect to the same page without it, so the token does not
  stay in the address bar or the history (as Jupyter does).
- A request that changes something (any method but GET/HEAD) also needs the token in the
  ``X-Designer-Token`` header (a cross-site form cannot set one) and must come from the server's own
  origin (``Origin``, else ``Sec-Fetch-Site``). No CORS header is ever sent.
- On a loopback address the ``Host`` header must name the server (a DNS-rebinding page's host is refused).
- Every response carries a Content-Security-Policy without inline scripts or remote origins, and API
  answers are never cached.

Callers: designer.ui.server (the middleware), designer.cli.ui (token files, the loopback rule).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Middleware
from yarl import URL

from designer.errors import DesignerError, Location
from designer.ui.jsonio import refusal

TOKEN_HEADER = "X-Designer-Token"
TOKEN_QUERY = "token"
MIN_TOKEN_LENGTH = 16
SAFE_METHODS = frozenset({"GET", "HEAD"})
PUBLIC_PREFIXES = ("/static/",)  # the bundle holds no data; the page that loads it needs the token
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
LOOPBACK_NAMES = ("localhost",)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    """A fresh random token (256 bits)."""
    return secrets.token_urlsafe(32)


def read_token_file(path: Path) -> str:
    """The token kept in ``path`` (its first line); a short or unreadable one is refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DesignerError(
            f"cannot read the token file: {exc}",
            location=Location.whole(str(path)),
            hint="check --token-file",
        ) from exc
    lines = text.strip().splitlines()
    token = lines[0].strip() if lines else ""
    if len(token) < MIN_TOKEN_LENGTH or any(c.isspace() or not c.isprintable() for c in token):
        raise DesignerError(
            f"the token must be at least {MIN_TOKEN_LENGTH} printable characters without spaces",
            location=Location.whole(str(path)),
            hint="e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > token.txt",
        )
    return token


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cookie_name(port: int) -> str:
    """Cookies ignore ports: each server on a host keeps its own."""
    return f"designer-ui-{port}"


def middleware(token: str, bound: Callable[[], tuple[str, int]]) -> Middleware:
    """The security middleware for a server whose token is ``token``; ``bound()`` gives (host, port)."""

    @web.middleware
    async def secure(request: web.Request, handler: Handler) -> web.StreamResponse:
        host, port = bound()
        refusal = _check(request, token, host, port)
        try:
            response = refusal if refusal is not None else await handler(request)
        except web.HTTPException as exc:
            harden_headers(request, exc)
            raise
        if not response.prepared:  # a stream (server-sent events) hardened itself before its first byte
            harden_headers(request, response)
        return response

    return secure


def _check(request: web.Request, token: str, host: str, port: int) -> web.StreamResponse | None:
    """None when the request may go on; else the answer that refuses it."""
    if is_loopback(host) and not _host_is_ours(request.host, port):
        return _refuse(403, "the Host header does not name this server", "open the URL design ui printed")
    given = request.query.get(TOKEN_QUERY)
    if given is not None and request.method in SAFE_METHODS:
        if not hmac.compare_digest(given.encode(), token.encode()):
            return _refuse(401, "wrong token", "open the URL design ui printed")
        query = {k: v for k, v in request.query.items() if k != TOKEN_QUERY}
        response = web.Response(status=303, headers={"Location": str(request.rel_url.with_query(query))})
        response.set_cookie(
            cookie_name(port), token, httponly=True, samesite="Strict", path="/", secure=False
        )
        return response
    if request.path.startswith(PUBLIC_PREFIXES):
        return None
    cookie = request.cookies.get(cookie_name(port), "")
    header = request.headers.get(TOKEN_HEADER, "")
    if not (_same(cookie, token) or _same(header, token)):
        return _refuse(
            401, "this server needs its token", "open the URL design ui printed (it carries the token)"
        )
    if request.method not in SAFE_METHODS:
        if not _same(header, token):
            return _refuse(
                403, f"a change needs the {TOKEN_HEADER} header", "use the web page, or send the header"
            )
        if not _same_origin(request, port):
            return _refuse(
                403, "cross-origin request refused", "changes are accepted from this server's own pages"
            )
    return None


def _same(given: str, token: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


def _host_is_ours(header: str, port: int) -> bool:
    try:
        url = URL(f"http://{header}/")
    except ValueError:
        return False
    return url.host is not None and is_loopback(url.host) and url.port in (80, port) if header else False


def _same_origin(request: web.Request, port: int) -> bool:
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin in {f"http://{request.host}", f"http://{request.host}:{port}"}
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def _refuse(status: int, message: str, hint: str) -> web.Response:
    return refusal(status, message, hint)


def harden_headers(request: web.Request, response: web.StreamResponse) -> None:
    """The headers every answer carries (streams call this before they start)."""
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if not request.path.startswith(PUBLIC_PREFIXES):
        headers["Cache-Control"] = "no-store"
