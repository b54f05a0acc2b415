"""Refresh token families and rate limits against the production server of the drf stack and
the hybrid's core, on PostgreSQL (tests/security.py holds the walks, the same for every stack).

One server per stack for the module: one gunicorn worker, so that its per-process rate limit
counters see every request (as a deployment with a shared cache would), with 8 threads, so that
parallel refreshes really race in the database.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
import security
from harness import Response, fresh_postgres_database, lowercase, postgres_available
from servers import STAFF, drf_core

pytestmark = pytest.mark.slow

# A minute. Low enough to exhaust a bucket, with room for the walks: 5 registrations from this
# IP in all, 9 refreshes in the parallel walk's family.
AUTH_RATE_LIMIT = 10
ADMIN_LOGIN_RATE_LIMIT = 5  # the default, which servers.py leaves alone


@pytest.fixture(scope="module", params=["drf", "hybrid"])
def core(request, installed):
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")
    project = installed(request.param)
    database_url = fresh_postgres_database(f"stackwise_security_{request.param}")
    settings = {
        "AUTH_RATE_LIMIT": f"{AUTH_RATE_LIMIT}/minute",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_CMD_ARGS": "--threads 8",
    }
    with drf_core(project, database_url, **settings) as base:
        yield base


def test_parallel_refreshes_of_one_token_yield_one_successor(core):
    security.walk_parallel_refreshes(core, n=8)


def test_reusing_a_revoked_refresh_token_revokes_its_family(core):
    security.walk_reuse_revokes_the_family(core)


def test_sign_in_is_limited_per_email(core):
    security.walk_sign_in_bucket_per_email(core, AUTH_RATE_LIMIT)


def test_admin_login_is_limited_per_username(core):
    security.walk_admin_brute_force(django_admin_form(core), ADMIN_LOGIN_RATE_LIMIT, STAFF)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def django_admin_form(base: str):
    """attempt(username, password): one POST of Django's admin login form, as a browser behind
    the TLS proxy sends it (its CSRF cookie and token, X-Forwarded-Proto, a Referer)."""
    jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(secure_protocols=("http",)))
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    headers = {
        "X-Forwarded-Proto": "https",
        "Referer": f"https://{urllib.parse.urlsplit(base).netloc}/admin/",
    }

    def send(form: dict | None = None) -> Response:
        data = urllib.parse.urlencode(form).encode() if form else None
        request = urllib.request.Request(f"{base}/admin/login/?next=/admin/", data, headers)
        try:
            with opener.open(request, timeout=30) as reply:
                return Response(reply.status, lowercase(reply.headers), reply.read())
        except urllib.error.HTTPError as reply:  # 302 (NoRedirect), 429
            return Response(reply.code, lowercase(reply.headers), reply.read())

    page = send().text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def attempt(username: str, password: str) -> Response:
        return send({"csrfmiddlewaretoken": token, "username": username, "password": password})

    return attempt
