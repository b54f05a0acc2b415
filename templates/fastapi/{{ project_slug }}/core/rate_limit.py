"""A per-client-IP fixed-window rate limit for the auth endpoints (AUTH_RATE_LIMIT).

Counters live in the process: with several workers each one counts on its own, so the effective
limit is the rate times the number of workers. Behind a proxy, run the server with
--proxy-headers so the client IP is the real one.
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

    def hit(self, scope: str, client: str) -> None:
        now = time.time()
        window = int(now // self.window)
        if len(self._hits) > 10_000:  # forget finished windows
            self._hits = {k: v for k, v in self._hits.items() if k[2] == window}
        key = (scope, client, window)
        self._hits[key] = self._hits.get(key, 0) + 1
        if self._hits[key] > self.limit:
            retry_after = math.ceil((window + 1) * self.window - now)
            raise ApiError(
                429,
                "throttled",
                f"Too many requests. Try again in {retry_after} seconds.",
                headers={"Retry-After": str(retry_after)},
            )


async def auth_rate_limit(request: Request) -> None:
    """Dependency: counts this request against its endpoint's limit for the client's IP."""
    client = request.client.host if request.client else "unknown"
    request.app.state.rate_limiter.hit(request.url.path, client)
