"""Issue 12 on the fastapi stack's production server (`make serve`, two uvicorn workers) on
PostgreSQL, with production Argon2 cost: what only a real server shows."""

from __future__ import annotations

import json
import statistics
import threading
import time
import urllib.error
import urllib.request
import uuid

import contract
import pytest
from harness import fresh_postgres_database, http, postgres_available
from servers import fastapi_app

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery-9"
# Low enough to reach in a few requests; each of the two workers counts on its own.
RATE_LIMIT = 10
SIGN_INS_IN_FLIGHT = 4
HEALTH_BUDGET_MS = 50


@pytest.fixture(scope="module")
def live(installed):
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")
    project = installed("fastapi")
    database = fresh_postgres_database("stackwise_security_fastapi")
    with fastapi_app(project, database, AUTH_RATE_LIMIT=f"{RATE_LIMIT}/minute") as base:
        yield base


def post(url: str, body: dict, headers: dict[str, str]) -> int:
    """POST with extra headers (harness.http sends none); the status."""
    request = urllib.request.Request(
        url,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def test_health_stays_fast_while_sign_ins_hash(live):
    """Argon2 runs in threads: the event loops keep answering while four sign-ins hash."""
    stop = threading.Event()
    signed_in: list[int] = []

    def sign_in_again_and_again() -> None:
        while not stop.is_set():  # unknown emails: the same Argon2 cost, no rate limit hit
            body = {"email": f"{uuid.uuid4().hex}@example.com", "password": PASSWORD}
            signed_in.append(http("POST", f"{live}/api/auth/token", body).status)

    threads = [threading.Thread(target=sign_in_again_and_again) for _ in range(SIGN_INS_IN_FLIGHT)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)  # every worker is hashing by now
        latencies = []
        for _ in range(15):
            started = time.perf_counter()
            assert http("GET", f"{live}/health").status == 200
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


def test_parallel_refreshes_give_one_pair_and_revoke_the_family(live):
    email = f"family-{uuid.uuid4().hex[:8]}@example.com"
    tokens = contract.register_and_login(live, email, PASSWORD)
    barrier = threading.Barrier(8)
    replies: list = []

    def refresh() -> None:
        barrier.wait()
        replies.append(http("POST", f"{live}/api/auth/refresh", {"refresh": tokens["refresh"]}))

    threads = [threading.Thread(target=refresh) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [200] + [401] * 7, [reply.text for reply in replies]
    for reply in replies:
        if reply.status == 401:
            contract.assert_error(reply, 401, code="token_not_valid")
    (winner,) = [reply.json() for reply in replies if reply.status == 200]
    # The seven others were reuse: the family is revoked, the winner's new token included.
    again = http("POST", f"{live}/api/auth/refresh", {"refresh": winner["refresh"]})
    contract.assert_error(again, 401, code="token_not_valid")

    # Signing out spends a token: presenting it again is reuse too.
    tokens = contract.register_and_login(live, f"out-{uuid.uuid4().hex[:8]}@example.com", PASSWORD)
    assert http("POST", f"{live}/api/auth/logout", {"refresh": tokens["refresh"]}).status == 204
    reused = http("POST", f"{live}/api/auth/refresh", {"refresh": tokens["refresh"]})
    contract.assert_error(reused, 401, code="token_not_valid")


def test_a_spoofed_x_forwarded_for_does_not_reset_the_limit(live):
    """NUM_PROXIES=0: the server takes the peer's address, never X-Forwarded-For, even from
    127.0.0.1 (which uvicorn's proxy headers trust by default). Registration counts per IP
    before reading the body, so empty bodies spend it; each worker has RATE_LIMIT to spend."""
    statuses = [
        post(f"{live}/api/auth/register", {}, {"X-Forwarded-For": f"198.51.100.{number}"})
        for number in range(2 * RATE_LIMIT + 1)
    ]
    assert 429 in statuses and set(statuses) <= {400, 429}, statuses
