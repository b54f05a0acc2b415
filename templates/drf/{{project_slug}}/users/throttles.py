"""The API's rate limits: each at AUTH_RATE_LIMIT, each a bucket of its own, so that hitting one
never blocks another (a busy sign-up page does not stop sign-ins).

- register: per client IP;
- token (sign-in): per email and client IP, so guessing one account's password is slowed without
  locking its owner out from elsewhere;
- refresh: per token family (one sign-in's chain), per client IP when the token cannot be read.

The client IP follows NUM_PROXIES (DRF's rule): 0 reads the peer address, N the address N
proxies from the end of X-Forwarded-For. Counts live in Django's default cache, local memory: each
server process counts alone until the project has a shared cache.
"""

import hashlib

from rest_framework.throttling import SimpleRateThrottle

from ..tokens import families
from .models import UserManager


class AuthRateThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.bucket(request)}

    def bucket(self, request) -> str:
        return self.get_ident(request)


class RegisterRateThrottle(AuthRateThrottle):
    scope = "register"


class SignInRateThrottle(AuthRateThrottle):
    scope = "token"

    def bucket(self, request) -> str:
        email = request.data.get("email") if isinstance(request.data, dict) else None
        email = UserManager.normalize_email(email if isinstance(email, str) else "")
        # Hashed: any string fits the cache's key rules.
        digest = hashlib.sha256(email.encode(errors="replace")).hexdigest()[:32]
        return f"{digest}-{self.get_ident(request)}"


class RefreshRateThrottle(AuthRateThrottle):
    scope = "refresh"

    def bucket(self, request) -> str:
        raw = request.data.get("refresh") if isinstance(request.data, dict) else None
        return families.bucket(raw) or self.get_ident(request)
