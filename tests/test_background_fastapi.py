"""The fastapi stack past one process, as its README runs it: the production server (two worker
processes) and a real Celery worker (`make worker`), sharing Redis (a database of this module's
own, flushed) and sending mail to a real SMTP server (aiosmtpd) started here.

Mail is sent the way the app's code sends it (`send_email.delay`, in a process with the
server's environment) with a template the project ships (verify_email): the installed project is
used as it is. The account walk (tests/accounts.py) runs here too, so its mails go through Redis
and the worker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import smtp_mailbox
from accounts import walk
from harness import (
    POSTGRES_ADMIN_URL,
    database_name,
    fresh_postgres_database,
    http,
    postgres_available,
    project_env,
    psql,
    run,
)
from servers import FASTAPI_PRODUCTION, FRONTEND_URL, fastapi_app

pytestmark = pytest.mark.slow

# This module's own Redis database (the drf stack's tests use others), flushed before and after.
REDIS_URL = "redis://127.0.0.1:6379/11"
# AUTH_RATE_LIMIT of this module's server, N/day so that no window ends mid-test: the walk signs
# one address in 7 times and spends 3 of a bucket per client IP; the shared limit test trips its
# own address's sign-ins at request 11.
RATE = 10
# Seconds before a task held by a dead worker goes to another: short, to see it happen.
VISIBILITY_TIMEOUT = "4"
LINK = "http://localhost:3000/verify-email?token="


class Mailbox(smtp_mailbox.Mailbox):
    """The tests' SMTP server, which can also fail a delivery: `hold()` makes it keep the next
    DATA waiting until `release()`, then refuse it with a 451 (a mail in flight when its sender
    dies)."""

    def __init__(self) -> None:
        super().__init__()
        self.holding, self.held, self.released = (threading.Event() for _ in range(3))

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.holding.is_set():
            self.holding.clear()
            self.held.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)

    def hold(self) -> None:
        self.held.clear()
        self.released.clear()
        self.holding.set()

    def release(self) -> None:
        self.released.set()


@dataclass
class Site:
    project: Path
    package: str
    base: str
    database_url: str
    env: dict[str, str]
    mailbox: Mailbox
    redis: redis.Redis

    def python(self, code: str) -> None:
        """Runs `code` in the project with the server's environment (as the app's code runs)."""
        run(["uv", "run", "python", "-c", code], self.project, **self.env)


@contextmanager
def worker(site: Site) -> Iterator[subprocess.Popen]:
    """`make worker`, as the README runs it, in a session of its own (its pool processes too);
    yields when it is ready. Stopped (SIGTERM) after, unless the test killed it."""
    log = Path(tempfile.mkstemp(prefix="stackwise-worker-", suffix=".log")[1])
    with log.open("w") as out:
        process = subprocess.Popen(
            ["make", "worker"],
            cwd=site.project,
            env=project_env(**site.env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text():
            assert process.poll() is None, f"the worker exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"the worker was not ready:\n{log.read_text()}"
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def site(installed) -> Iterator[Site]:
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis does not answer at {REDIS_URL}: {error}")
    client.flushdb()
    project = installed("fastapi")
    package = next(path.parent.name for path in project.glob("*/main.py"))
    database_url = fresh_postgres_database("stackwise_background_fastapi", prefix="")
    try:
        with Mailbox() as mailbox:
            settings = {
                "REDIS_URL": REDIS_URL,
                "EMAIL_URL": mailbox.url,
                "FRONTEND_URL": FRONTEND_URL,
                "DEFAULT_FROM_EMAIL": "noreply@acme.test",
                "TASK_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT,
                "AUTH_RATE_LIMIT": f"{RATE}/day",
            }
            with fastapi_app(project, database_url, **settings) as base:
                env = {**FASTAPI_PRODUCTION, "DATABASE_URL": database_url, **settings}
                yield Site(project, package, base, database_url, env, mailbox, client)
    finally:
        drop = f'DROP DATABASE IF EXISTS "{database_name(database_url)}" WITH (FORCE)'
        psql(POSTGRES_ADMIN_URL, drop)
        client.flushdb()
        client.close()


def send_probe(site: Site, marker: str) -> str:
    """Queues the shipped verification mail with the app's send_email, to an address of its
    own, its link ending in `marker`; returns the address."""
    address = f"{marker}-{uuid.uuid4().hex[:8]}@acme.test"
    context = {"email": address, "link": f"{LINK}{marker}", "valid_for": "48 hours"}
    site.python(
        f"from {site.package}.mail.tasks import send_email; "
        f"send_email.delay(to={address!r}, template='verify_email', context={context!r})"
    )
    return address


def add_refresh_tokens(site: Site) -> str:
    """Two expired refresh token records (one revoked) and a revoked one still live, of a user
    of their own; returns the user's id."""
    email = f"cleanup-{uuid.uuid4().hex[:8]}@acme.test"
    user_id = psql(
        site.database_url,
        "INSERT INTO users (email, hashed_password, full_name, is_active, is_staff, date_joined)"
        f" VALUES ('{email}', 'x', '', true, false, now()) RETURNING id",
    ).split()[0]
    psql(
        site.database_url,
        "INSERT INTO refresh_tokens (jti, family, user_id, expires_at, revoked_at) VALUES"
        f" ('gone', 'gone', {user_id}, now() - interval '1 hour', NULL),"
        f" ('gone-revoked', 'gone-revoked', {user_id}, now() - interval '1 day', now()),"
        f" ('kept', 'kept', {user_id}, now() + interval '1 day', now())",
    )
    return user_id


def test_the_worker_sends_mail_runs_the_cleanup_and_loses_no_task_when_killed(site: Site) -> None:
    user_id = add_refresh_tokens(site)
    with worker(site) as first:
        address = send_probe(site, "first")
        mail = site.mailbox.wait_for(address, timeout=30)
        assert (
            mail["From"] == "noreply@acme.test" and mail["Subject"] == "Verify your email address"
        )
        assert f"{LINK}first\r\n" in mail.get_body(("plain",)).get_content()
        html = mail.get_body(("html",)).get_content()
        assert f'href="{LINK}first"' in html and "<!doctype html>" in html  # in the layout

        # The daily cleanup, sent now as beat sends it: the expired records go.
        job = f"{site.package}.auth.tasks.delete_expired_refresh_tokens"
        celery = ["uv", "run", "celery", "-A", f"{site.package}.worker"]
        run([*celery, "call", job], site.project, **site.env)
        deadline = time.monotonic() + 30
        # This user's records only: the account walk leaves live ones of its own.
        jtis = "SELECT string_agg(jti, ',' ORDER BY jti) FROM refresh_tokens"
        jtis += f" WHERE user_id = {user_id}"
        while psql(site.database_url, jtis) != "kept":
            assert time.monotonic() < deadline, psql(site.database_url, jtis)
            time.sleep(0.2)

        # The worker dies (SIGKILL, pool and all) while it hands a mail to the SMTP server.
        site.mailbox.hold()
        address = send_probe(site, "second")
        assert site.mailbox.held.wait(30), "the worker never started sending"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    site.mailbox.release()  # the dead worker's connection gets a 451 it never reads
    assert not site.mailbox.to(address)
    # A worker that starts takes over the tasks a dead worker held for longer than the
    # visibility timeout (running workers look again every few minutes).
    time.sleep(float(VISIBILITY_TIMEOUT))
    with worker(site):
        site.mailbox.wait_for(address, timeout=30)
        time.sleep(2)  # time for a duplicate to show up: none does
    assert len(site.mailbox.to(address)) == 1


def test_the_account_flows_run_through_redis_and_the_worker(site: Site) -> None:
    """Every account mail of the walk is queued in Redis by a web process and sent by the worker."""
    with worker(site):
        walk(site.base, site.mailbox, FRONTEND_URL)


def test_the_web_processes_share_the_rate_limit(site: Site) -> None:
    assert http("GET", f"{site.base}/health").json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
    }
    # Each request on a new connection, to either of the two worker processes: the sign-in
    # bucket (per email and client IP, this test's own address, so the other tests spend none of
    # it) trips at request RATE + 1 all the same.
    email = f"shared-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": "pw-x9-Kq3-zz7"}
    statuses = [http("POST", f"{site.base}/api/auth/token", body).status for _ in range(RATE + 2)]
    assert statuses == [401] * RATE + [429, 429], statuses
    (key,) = site.redis.keys(f"rate:token:*:{email}|*")
    assert int(site.redis.get(key)) == RATE + 2
