"""What the proxies in front of the app say about a request, trusted only as far as configured.

NUM_PROXIES is how many proxies append to X-Forwarded-For (Django REST framework's setting of
the same name). 0, the default: the client is the connection's peer and X-Forwarded-For is
ignored, since any client can send one. N > 0: the client is the N-th address from the right,
the one the outermost proxy saw; addresses further left are whatever the client wrote.

X-Forwarded-Proto: https marks the request https, as Django's SECURE_PROXY_SSL_HEADER does, so
URLs the app builds (the back office's redirects and assets) keep the scheme the browser used.
The server itself trusts no forwarded header (serve.py runs uvicorn with proxy_headers=False).
"""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

SECURE_SCHEMES = {"http": "https", "websocket": "wss"}


def forwarded_client(x_forwarded_for: str | None, peer: str, num_proxies: int) -> str:
    """The client's address, as DRF's throttles read it with NUM_PROXIES set."""
    if num_proxies == 0 or not x_forwarded_for:
        return peer
    addresses = x_forwarded_for.split(",")
    return addresses[-min(num_proxies, len(addresses))].strip() or peer


class ProxyHeaders:
    """Sets the request's client address and scheme from the proxies' headers (see above)."""

    def __init__(self, app: ASGIApp, num_proxies: int = 0) -> None:
        self.app = app
        self.num_proxies = num_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in SECURE_SCHEMES:
            headers = Headers(scope=scope)
            # The first value, as Django reads it: a chain of proxies may append theirs.
            proto = headers.get("x-forwarded-proto", "").split(",", 1)[0]
            if proto.strip().lower() == "https":
                scope["scheme"] = SECURE_SCHEMES[scope["type"]]
            if self.num_proxies:
                peer, port = scope.get("client") or ("", 0)
                client = forwarded_client(headers.get("x-forwarded-for"), peer, self.num_proxies)
                scope["client"] = (client, port)
        await self.app(scope, receive, send)
