"""Security walks over HTTP, the same for every stack: refresh token families and rate limit
buckets (contract.yml `behaviour.tokens`, `behaviour.rate_limits`; contract.md says why).

They speak only HTTP and the contract. The admin walk is the one exception: each stack's admin
has its own login form, so the caller passes a function that posts it once.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from contract import assert_error, register_and_login
from harness import Response, http

PASSWORD = "correct-horse-battery-9"


def new_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


def refresh(base: str, token: str) -> Response:
    return http("POST", f"{base}/api/auth/refresh", {"refresh": token})


def assert_refused(base: str, token: str) -> None:
    assert_error(refresh(base, token), 401, code="token_not_valid")


def assert_retry_after(reply: Response) -> None:
    assert_error(reply, 429, code="throttled")
    retry_after = reply.headers.get("retry-after", "")
    assert retry_after.isdigit() and int(retry_after) > 0, reply.headers


def walk_parallel_refreshes(base: str, n: int = 8) -> None:
    """N refreshes of one token at once: exactly one 200 (one successor: rotation is atomic);
    the others are reuse, 401, and revoke the family, the winner's successor included."""
    tokens = register_and_login(base, new_email("race"), PASSWORD)
    start = threading.Barrier(n)

    def one(_) -> Response:
        start.wait(timeout=30)
        return refresh(base, tokens["refresh"])

    with ThreadPoolExecutor(max_workers=n) as pool:
        replies = list(pool.map(one, range(n)))
    winners = [reply for reply in replies if reply.status == 200]
    assert len(winners) == 1, [(reply.status, reply.text[:200]) for reply in replies]
    for reply in replies:
        if reply.status != 200:
            assert_error(reply, 401, code="token_not_valid")
    assert_refused(base, winners[0].json()["refresh"])


def walk_reuse_revokes_the_family(base: str) -> None:
    """A rotated token presented again: 401, and the token it was rotated into is refused from
    then on (the family is dead), while another sign-in of the same user keeps working. A token
    presented again after logout is reuse too."""
    email = new_email("reuse")
    stolen = register_and_login(base, email, PASSWORD)
    other = http("POST", f"{base}/api/auth/token", {"email": email, "password": PASSWORD}).json()

    rotated = refresh(base, stolen["refresh"])
    assert rotated.status == 200, rotated.text
    assert_refused(base, stolen["refresh"])  # the thief's copy, or the victim's: reuse
    assert_refused(base, rotated.json()["refresh"])  # the family is revoked

    kept = refresh(base, other["refresh"])
    assert kept.status == 200, kept.text  # another family of the same user
    kept = kept.json()
    logout = http("POST", f"{base}/api/auth/logout", {"refresh": kept["refresh"]}, kept["access"])
    assert logout.status == 204, logout.text
    assert_refused(base, kept["refresh"])
    assert_error(
        http("POST", f"{base}/api/auth/logout", {"refresh": kept["refresh"]}),
        401,
        code="token_not_valid",
    )


def walk_sign_in_bucket_per_email(base: str, limit: int) -> None:
    """Sign-in counts per email (normalized) and client IP: `limit` attempts at one email
    exhaust its bucket, not another email's, nor the register bucket. Spends `limit` + 2
    sign-ins and 3 registrations of the server's AUTH_RATE_LIMIT."""
    guessed, other = new_email("guessed"), new_email("other")
    for email in (guessed, other):
        created = http("POST", f"{base}/api/auth/register", {"email": email, "password": PASSWORD})
        assert created.status == 201, created.text
    for attempt in range(limit):
        email = guessed.upper() if attempt % 2 else guessed  # one bucket, whatever the case
        body = {"email": email, "password": f"wrong-password-{attempt}"}
        wrong = http("POST", f"{base}/api/auth/token", body)
        assert_error(wrong, 401, code="authentication_failed")
    right = {"email": guessed, "password": PASSWORD}
    assert_retry_after(http("POST", f"{base}/api/auth/token", right))

    signed_in = http("POST", f"{base}/api/auth/token", {"email": other, "password": PASSWORD})
    assert signed_in.status == 200, signed_in.text
    body = {"email": new_email("late"), "password": PASSWORD}
    assert http("POST", f"{base}/api/auth/register", body).status == 201


def walk_admin_brute_force(
    attempt: Callable[[str, str], Response], limit: int, staff: tuple[str, str]
) -> None:
    """Guessing one admin password: throttled (429, Retry-After) within `limit` + 1 attempts of
    the login form (ADMIN_LOGIN_RATE_LIMIT). Staff signing in as another user from the same IP
    are not: `attempt(username, password)` posts the stack's login form once and returns the
    reply, a redirect when the sign-in succeeded."""
    victim = new_email("victim")
    for number in range(limit + 1):
        reply = attempt(victim, f"guess-{number}")
        if reply.status == 429:
            break
        # A wrong password: the form again (Django: 200, sqladmin: 400), never a way in.
        assert reply.status in (200, 400), (reply.status, reply.headers)
    assert_retry_after(reply)
    signed_in = attempt(*staff)
    assert signed_in.status in (302, 303), (signed_in.status, signed_in.text[:300])
