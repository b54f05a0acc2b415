"""A rate limit on the admin's login form, so that its passwords cannot be guessed at speed.

Every POST to the form counts, right or wrong, per username and client IP, against
ADMIN_LOGIN_RATE_LIMIT (default 5/minute): guessing one account's password is slowed, and staff
signing in from the same office as the guesser are not. Over the limit the form answers 429
throttled, in the API's error shape, with Retry-After. A middleware rather than a custom
AdminSite: the admin and its templates stay Django's own.

The client IP is DRF's (NUM_PROXIES), the same the API's rate limits count; the counts live in
Django's default cache, per process, like theirs.
"""

import hashlib
import math

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from .exceptions import error_response


class AdminLoginThrottle(SimpleRateThrottle):
    scope = "admin_login"

    def get_rate(self):
        return settings.ADMIN_LOGIN_RATE_LIMIT

    def get_cache_key(self, request, view):
        username = request.POST.get("username", "").strip().lower()
        # Hashed: any string fits the cache's key rules.
        digest = hashlib.sha256(username.encode(errors="replace")).hexdigest()[:32]
        ident = f"{digest}-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AdminLoginRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path == login_path():
            throttle = AdminLoginThrottle()
            if not throttle.allow_request(request, None):
                wait = math.ceil(throttle.wait() or 1)
                response = error_response(Throttled(wait))
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)


def login_path() -> str | None:
    try:
        return reverse("admin:login")
    except NoReverseMatch:  # a project without the admin
        return None
