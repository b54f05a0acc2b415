"""Fixed-window rate limits for the auth endpoints, one bucket per kind of request.

Each bucket counts its own keys (AUTH_RATE_LIMIT each, so signing in does not eat the refresh
allowance): register per client IP, sign-in per email and client IP, refresh per token family
(per client IP when the token cannot be read); the back office's login per email and client IP
(ADMIN_LOGIN_RATE_LIMIT). The client IP comes from core/proxies.py (NUM_PROXIES).

Counters live in the process: with several workers each one counts on its own, so the effective
limit is the rate times the number of workers, and a restart forgets them (issue 13 moves them
to Redis).
"""

import math
import time

from fastapi import Request

from .errors import ApiError


class RateLimiter:
    def __init__(self, limit: int, window_seconds: int) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[tuple[str, str, int], int] = {}

    def hit(self, bucket: str, key: str) -> None:
        """Counts one request against `key` in `bucket`; ApiError 429 once over the limit."""
        now = time.time()
        window = int(now // self.window)
        if len(self._hits) > 10_000:  # forget finished windows
            self._hits = {k: v for k, v in self._hits.items() if k[2] == window}
        counter = (bucket, key, window)
        self._hits[counter] = self._hits.get(counter, 0) + 1
        if self._hits[counter] > self.limit:
            retry_after = math.ceil((window + 1) * self.window - now)
            raise ApiError(
                429,
                "throttled",
                f"Too many requests. Try again in {retry_after} seconds.",
                headers={"Retry-After": str(retry_after)},
            )


def client_ip(request: Request) -> str:
    """The client's address (ProxyHeaders has applied NUM_PROXIES to it)."""
    return request.client.host if request.client else "unknown"


def limit(request: Request, bucket: str, *key: str) -> None:
    """Counts this request in the app's auth limiter under `bucket` and `key`."""
    request.app.state.rate_limiter.hit(bucket, "|".join(key))


async def limit_registrations(request: Request) -> None:
    """Dependency for registration: its bucket, keyed by the client's IP."""
    limit(request, "register", client_ip(request))
