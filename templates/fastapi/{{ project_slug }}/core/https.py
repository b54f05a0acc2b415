"""HTTPS at the edge, as the drf stack's production settings have Django do it (its
SecurityMiddleware and XFrameOptionsMiddleware, as `manage.py check --deploy` asks for them).

- In production every response carries X-Content-Type-Options, X-Frame-Options,
  Referrer-Policy and Cross-Origin-Opener-Policy; a response to an HTTPS request also carries
  Strict-Transport-Security while `hsts_seconds` is above 0.
- With `redirect` on, a plain-HTTP request is answered 301 to the same URL over HTTPS, except
  /health: load balancers probe it over plain HTTP.
- A request is HTTPS when the server says so or when X-Forwarded-Proto says https, as Django's
  SECURE_PROXY_SSL_HEADER reads it: a TLS proxy in front must set (or overwrite) that header.

Pure ASGI: only the response's start message is touched, so streamed responses keep streaming.
"""

from starlette.datastructures import URL, Headers, MutableHeaders
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ONE_YEAR = 60 * 60 * 24 * 365
EXEMPT_PATHS = {"/health"}
# Django's values with the drf stack's production settings. No Content-Security-Policy, as in
# Django: the docs pages start Swagger UI and ReDoc with inline scripts a strict policy blocks.
PRODUCTION_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


def is_https(scope: Scope) -> bool:
    if scope.get("scheme") in ("https", "wss"):
        return True
    forwarded = Headers(scope=scope).get("x-forwarded-proto", "")
    # The first value, as Django reads it: a proxy may append its own after the client's.
    return forwarded.split(",", 1)[0].strip().lower() == "https"


def route_path(scope: Scope) -> str:
    """The path without the prefix a proxy serves the app under (--root-path)."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


class HttpsEdge:
    """Redirects plain HTTP to HTTPS and adds the security headers; see the module's docstring."""

    def __init__(
        self, app: ASGIApp, *, production: bool, redirect: bool, hsts_seconds: int
    ) -> None:
        self.app = app
        self.headers = dict(PRODUCTION_HEADERS) if production else {}
        self.redirect = redirect
        self.hsts = f"max-age={hsts_seconds}; includeSubDomains; preload" if hsts_seconds else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = is_https(scope)
        send = self.with_headers(send, secure)
        if self.redirect and not secure and route_path(scope) not in EXEMPT_PATHS:
            location = URL(scope=scope).replace(scheme="https")
            await RedirectResponse(str(location), status_code=301)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def with_headers(self, send: Send, secure: bool) -> Send:
        added = {**self.headers, **({"strict-transport-security": self.hsts} if secure else {})}
        added = {name: value for name, value in added.items() if value}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and added:
                headers = MutableHeaders(scope=message)
                for name, value in added.items():
                    headers.setdefault(name, value)  # a route's own value wins, as in Django
            await send(message)

        return send_with_headers


def https_edge_options(
    production: bool, redirect: bool | None, hsts_seconds: int | None
) -> dict[str, object]:
    """HttpsEdge's options from the settings SECURE_SSL_REDIRECT and SECURE_HSTS_SECONDS, with
    the drf stack's meaning: unset, both are on in production (a year of HSTS) and off otherwise."""
    return {
        "production": production,
        "redirect": production if redirect is None else redirect,
        "hsts_seconds": (ONE_YEAR if production else 0) if hsts_seconds is None else hsts_seconds,
    }
