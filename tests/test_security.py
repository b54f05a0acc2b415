"""Refresh token families, rate limit buckets and admin brute force against the production server
of every stack on PostgreSQL (tests/security.py holds the walks, the same for every stack), and
what only the fastapi stack's event loop can get wrong.

One server per stack for the module, with one worker process, so that its per-process rate limit
counters see every request (as a deployment with a shared cache would): gunicorn with 8 threads
on the Django stacks, so that parallel refreshes really race in the database; uvicorn's event
loop on fastapi, at production Argon2 cost.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar, DefaultCookiePolicy

import pytest
import security
from harness import Response, fresh_postgres_database, http, lowercase, postgres_available
from servers import STAFF, drf_core, fastapi_app

pytestmark = pytest.mark.slow

# A minute. Low enough to exhaust a bucket, with room for the walks: 5 registrations from this
# IP in all, 9 refreshes in the parallel walk's family.
AUTH_RATE_LIMIT = 10
ADMIN_LOGIN_RATE_LIMIT = 5  # the default, which servers.py leaves alone
SETTINGS = {"AUTH_RATE_LIMIT": f"{AUTH_RATE_LIMIT}/minute"}


@pytest.fixture(scope="module", params=["drf", "hybrid", "fastapi"])
def served(request, installed):
    """(stack, base URL, attempt): attempt(username, password) posts the admin login form once."""
    stack = request.param
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")
    project = installed(stack)
    database_url = fresh_postgres_database(f"stackwise_security_{stack}")
    if stack == "fastapi":
        with fastapi_app(project, database_url, staff=True, WORKERS="1", **SETTINGS) as base:
            yield stack, base, sqladmin_form(base)
    else:
        threaded = {"WEB_CONCURRENCY": "1", "GUNICORN_CMD_ARGS": "--threads 8"}
        with drf_core(project, database_url, **SETTINGS, **threaded) as base:
            yield stack, base, django_admin_form(base)


def test_parallel_refreshes_of_one_token_yield_one_successor(served):
    security.walk_parallel_refreshes(served[1], n=8)


def test_reusing_a_revoked_refresh_token_revokes_its_family(served):
    security.walk_reuse_revokes_the_family(served[1])


def test_sign_in_is_limited_per_email(served):
    security.walk_sign_in_bucket_per_email(served[1], AUTH_RATE_LIMIT)


def test_admin_login_is_limited_per_username(served):
    security.walk_admin_brute_force(served[2], ADMIN_LOGIN_RATE_LIMIT, STAFF)


def test_a_spoofed_x_forwarded_for_does_not_open_a_new_bucket(served):
    """NUM_PROXIES=0: the client IP is the peer's address, never X-Forwarded-For, even from
    127.0.0.1 (which uvicorn's proxy headers trusted by default). Registration counts per IP, so
    empty bodies spend it."""
    base = served[1]
    statuses = [
        http(
            "POST", f"{base}/api/auth/register", {}, headers={"X-Forwarded-For": f"198.51.100.{n}"}
        ).status
        for n in range(AUTH_RATE_LIMIT + 1)
    ]
    assert statuses[-1] == 429 and set(statuses) <= {400, 429}, statuses


SIGN_INS_IN_FLIGHT = 4
HEALTH_BUDGET_MS = 50


def test_health_stays_fast_while_sign_ins_hash(served):
    """Password hashing runs off the event loop: /health keeps answering while four sign-ins
    hash. The Django stacks' sync workers have no event loop to block."""
    stack, base, _ = served
    if stack != "fastapi":
        pytest.skip("only the fastapi stack runs requests on an event loop")
    stop = threading.Event()
    signed_in: list[int] = []

    def sign_in_again_and_again() -> None:
        while not stop.is_set():  # unknown emails: the same Argon2 cost, fresh buckets
            body = {"email": security.new_email("nobody"), "password": security.PASSWORD}
            signed_in.append(http("POST", f"{base}/api/auth/token", body).status)

    threads = [threading.Thread(target=sign_in_again_and_again) for _ in range(SIGN_INS_IN_FLIGHT)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)  # the worker is hashing by now
        latencies = []
        for _ in range(15):
            started = time.perf_counter()
            assert http("GET", f"{base}/health").status == 200
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    median = statistics.median(latencies)
    print(f"/health median {median:.1f} ms under {SIGN_INS_IN_FLIGHT} sign-ins: {latencies}")
    assert signed_in and set(signed_in) == {401}, set(signed_in)
    assert len(signed_in) >= SIGN_INS_IN_FLIGHT  # the sign-ins did run meanwhile
    assert median < HEALTH_BUDGET_MS, latencies


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def form_poster(url: str, headers: dict[str, str]):
    """send(form) -> Response: a browser-like session (cookies kept, redirects answered as they
    are) that GETs `url` without a form and POSTs the form to it."""
    jar = CookieJar(DefaultCookiePolicy(secure_protocols=("http",)))
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def send(form: dict | None = None) -> Response:
        data = urllib.parse.urlencode(form).encode() if form else None
        try:
            with opener.open(urllib.request.Request(url, data, headers), timeout=30) as reply:
                return Response(reply.status, lowercase(reply.headers), reply.read())
        except urllib.error.HTTPError as reply:  # 302 (NoRedirect), 400, 429
            return Response(reply.code, lowercase(reply.headers), reply.read())

    return send


def django_admin_form(base: str):
    """One POST of Django's admin login form, as a browser behind the TLS proxy sends it (its
    CSRF cookie and token, X-Forwarded-Proto, a Referer)."""
    headers = {
        "X-Forwarded-Proto": "https",
        "Referer": f"https://{urllib.parse.urlsplit(base).netloc}/admin/",
    }
    send = form_poster(f"{base}/admin/login/?next=/admin/", headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', send().text).group(1)

    def attempt(username: str, password: str) -> Response:
        return send({"csrfmiddlewaretoken": token, "username": username, "password": password})

    return attempt


def sqladmin_form(base: str):
    """One POST of sqladmin's login form (the fastapi stack's back office)."""
    send = form_poster(f"{base}/admin/login", {"X-Forwarded-Proto": "https"})

    def attempt(username: str, password: str) -> Response:
        return send({"username": username, "password": password})

    return attempt
