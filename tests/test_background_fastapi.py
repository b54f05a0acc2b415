"""The fastapi stack past one process, as its README runs it: the production server (two worker
processes) and a real Celery worker (`make worker`), sharing Redis (a database of this module's
own, flushed) and sending mail to a real SMTP server (aiosmtpd) started here.

Mail is sent the way the app's code sends it (`send_email.delay`, in a process with the
server's environment) with a template the project ships (verify_email): the installed project is
used as it is."""

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
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from harness import (
    POSTGRES_ADMIN_URL,
    database_name,
    free_port,
    fresh_postgres_database,
    http,
    postgres_available,
    project_env,
    psql,
    run,
)
from servers import FASTAPI_PRODUCTION, fastapi_app

pytestmark = pytest.mark.slow

# This module's own Redis database (the drf stack's tests use others), flushed before and after.
REDIS_URL = "redis://127.0.0.1:6379/11"
RATE = 4  # AUTH_RATE_LIMIT of this module's server: N/day, so no window ends mid-test
# Seconds before a task held by a dead worker goes to another: short, to see it happen.
VISIBILITY_TIMEOUT = "4"
LINK = "http://localhost:3000/verify-email?token="


@dataclass
class Mailbox:
    """What the SMTP server accepted. `hold()` makes it keep the next DATA waiting until
    `release()`, then refuse it with a 451 (a mail in flight when its sender dies)."""

    messages: list[EmailMessage] = field(default_factory=list)
    holding: threading.Event = field(default_factory=threading.Event)
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.holding.is_set():
            self.holding.clear()
            self.held.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def hold(self) -> None:
        self.held.clear()
        self.released.clear()
        self.holding.set()

    def release(self) -> None:
        self.released.set()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, timeout: float = 30) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while not (found := self.to(address)):
            assert time.monotonic() < deadline, f"no mail to {address} in {timeout}s"
            time.sleep(0.1)
        return found[0]


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
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    database_url = fresh_postgres_database("stackwise_background_fastapi", prefix="")
    settings = {
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "DEFAULT_FROM_EMAIL": "noreply@acme.test",
        "TASK_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT,
        "AUTH_RATE_LIMIT": f"{RATE}/day",
    }
    try:
        with fastapi_app(project, database_url, **settings) as base:
            env = {**FASTAPI_PRODUCTION, "DATABASE_URL": database_url, **settings}
            yield Site(project, package, base, database_url, env, mailbox, client)
    finally:
        smtp.stop()
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


def add_refresh_tokens(site: Site) -> None:
    """Two expired refresh token records (one revoked) and a revoked one still live."""
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


def test_the_worker_sends_mail_runs_the_cleanup_and_loses_no_task_when_killed(site: Site) -> None:
    add_refresh_tokens(site)
    with worker(site) as first:
        address = send_probe(site, "first")
        mail = site.mailbox.wait_for(address)
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
        jtis = "SELECT string_agg(jti, ',' ORDER BY jti) FROM refresh_tokens"
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


def test_the_web_processes_share_the_rate_limit(site: Site) -> None:
    assert http("GET", f"{site.base}/health").json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
    }
    # Each request on a new connection, to either of the two worker processes: the register
    # bucket (per client IP) trips at request RATE + 1 all the same.
    statuses = [http("POST", f"{site.base}/api/auth/register", {}).status for _ in range(RATE + 2)]
    assert statuses == [400] * RATE + [429, 429]
    (key,) = site.redis.keys("rate:register:*")
    assert int(site.redis.get(key)) == RATE + 2
