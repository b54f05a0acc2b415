"""Background jobs and email of the drf stack, as deployed: the production server (gunicorn),
Redis (REDIS_URL) and a real Celery worker started with `make worker`, as the README says, and
a real SMTP server (aiosmtpd) as EMAIL_URL.

One project (a private copy of the installed drf project, with a mail template of the test's
own), one database, one Redis database (REDIS_DB, flushed first) and one SMTP server for the
whole module; each test checks several promises per sequence.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from harness import (
    POSTGRES_ADMIN_URL,
    free_port,
    fresh_postgres_database,
    http,
    postgres_available,
    project_env,
    psql,
    run,
    scratch_copy,
    server,
)
from servers import STAFF, drf_core, drf_env

pytestmark = pytest.mark.slow

SLUG = "acme_analytics"  # DEFAULT_ANSWERS' project name, slugged
REDIS_DB = 7  # this module's own database on the machine's Redis
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
RATE_LIMIT = 4  # AUTH_RATE_LIMIT per minute: the shared limit trips at request 5
FROM = "Acme <hello@acme.test>"
# The mail the test adds to its copy of the project, as an owner adds one (README, Email).
PROBE = {
    "probe_subject.txt": "Probe {{ n }}\n",
    "probe.txt": "Plain {{ n }} & more\n",
    "probe.html": "<p>HTML {{ n }} &amp; more</p>\n",
}


@dataclass
class Mailbox:
    """What the SMTP server received: one email.message.EmailMessage per mail."""

    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def with_subject(self, subject: str) -> list:
        with self.lock:
            return [m for m in self.messages if m["Subject"] == subject]

    def wait_for(self, subject: str, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while not (found := self.with_subject(subject)):
            assert time.monotonic() < deadline, f"no mail {subject!r} in {timeout}s"
            time.sleep(0.1)
        return found


@dataclass
class Site:
    project: Path
    env: dict[str, str]
    bases: tuple[str, str]  # two web servers (gunicorn) on one database and one Redis
    mailbox: Mailbox
    worker: Worker

    def manage_shell(self, code: str) -> None:
        run(["uv", "run", "python", "manage.py", "shell", "-c", code], self.project, **self.env)

    def send_probe(self, n: str) -> None:
        """Queue a mail from the app's side, as a view does: send_email.delay."""
        self.manage_shell(
            f"from {SLUG}.mail.tasks import send_email; "
            f"send_email.delay(to='ada@example.com', template='probe', context={{'n': {n!r}}})"
        )


class Worker:
    """`make worker` in its own process group, so SIGKILL reaches make, uv, celery and its pool."""

    def __init__(self, project: Path, env: dict[str, str]) -> None:
        self.project, self.env = project, env
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix="stackwise-worker-", suffix=".log")[1])

    def start(self, timeout: float = 60) -> None:
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                ["make", "worker"],
                cwd=self.project,
                env=project_env(**self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not re.search(r"celery@\S+ ready\.", self.log.read_text()):
            assert self.process.poll() is None, f"the worker exited:\n{self.log.read_text()}"
            assert time.monotonic() < deadline, f"no worker in {timeout}s:\n{self.log.read_text()}"
            time.sleep(0.1)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()  # the tests are over: nothing left to finish
        self.log.unlink(missing_ok=True)


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def site(installed, tmp_path_factory) -> Iterator[Site]:
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")
    broker = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        broker.flushdb()
    except redis.RedisError as error:
        pytest.skip(f"Redis does not answer on 127.0.0.1:6379 ({error}): start redis-server")
    project = scratch_copy(installed("drf"), tmp_path_factory.mktemp("bg") / "project")
    mail = project / SLUG / "mail/templates/mail"
    mail.mkdir(parents=True)
    for name, text in PROBE.items():
        (mail / name).write_text(text)
    name = f"stackwise_background_drf_{os.getpid()}"
    database_url = fresh_postgres_database(name, prefix="")
    try:
        with smtp_server() as (mailbox, smtp_port):
            env = {
                **drf_env(database_url),
                "REDIS_URL": REDIS_URL,
                "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
                "DEFAULT_FROM_EMAIL": FROM,
                "AUTH_RATE_LIMIT": f"{RATE_LIMIT}/minute",
            }
            worker = Worker(project, env)
            with drf_core(project, database_url, **env) as first, web(project, env) as second:
                try:
                    worker.start()
                    yield Site(project, env, (first, second), mailbox, worker)
                finally:
                    worker.stop()
    finally:
        broker.flushdb()
        psql(POSTGRES_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def web(project: Path, env: dict[str, str]) -> Iterator[str]:
    """A second production server on the same database and Redis (drf_core migrated both)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1"}
    with server(["uv", "run", "gunicorn", "config.wsgi"], project, f"{base}/health", **settings):
        yield base


def test_a_mail_queued_by_the_app_arrives_over_smtp_and_health_reports_redis(site):
    for base in site.bases:
        health = http("GET", f"{base}/health")
        assert health.status == 200, health.text
        assert health.json() == {"status": "ok", "database": "ok", "redis": "ok"}

    n = uuid.uuid4().hex[:8]
    site.send_probe(n)
    [message] = site.mailbox.wait_for(f"Probe {n}")
    assert message["From"] == FROM and message["To"] == "ada@example.com"
    # Both bodies (SMTP ends lines with CRLF); the plain one unescaped, the HTML one as written.
    assert message.get_body(("plain",)).get_content() == f"Plain {n} & more\r\n"
    assert message.get_body(("html",)).get_content() == f"<p>HTML {n} &amp; more</p>\r\n"


def test_a_mail_queued_while_the_worker_is_dead_arrives_once_it_is_back(site):
    site.worker.kill()  # SIGKILL: no shutdown, nothing handed back
    n = uuid.uuid4().hex[:8]
    site.send_probe(n)
    time.sleep(0.5)
    assert site.mailbox.with_subject(f"Probe {n}") == []  # queued in Redis, not sent
    site.worker.start()
    site.mailbox.wait_for(f"Probe {n}")
    time.sleep(1.5)  # a second delivery would come now
    assert len(site.mailbox.with_subject(f"Probe {n}")) == 1


def test_two_web_processes_share_the_rate_limit(site):
    """Alternating between the two servers, the limit trips at request RATE_LIMIT + 1 overall
    (per-process counts would allow 2 × RATE_LIMIT)."""
    statuses = []
    for i in range(RATE_LIMIT + 2):
        base = site.bases[i % 2]
        body = {"email": f"shared-{uuid.uuid4().hex[:8]}@example.com", "password": "pw-x9-Kq3-zz7"}
        statuses.append(http("POST", f"{base}/api/auth/register", body).status)
    assert statuses == [201] * RATE_LIMIT + [429, 429], statuses


def test_the_scheduled_cleanup_run_by_the_worker_removes_expired_rows(site):
    email_address, password = STAFF
    body = {"email": email_address, "password": password}
    first = http("POST", f"{site.bases[0]}/api/auth/token", body)
    second = http("POST", f"{site.bases[1]}/api/auth/token", body)
    assert first.status == second.status == 200, (first.text, second.text)
    db = site.env["DATABASE_URL"]
    expired, current = first.json()["refresh"], second.json()["refresh"]
    tokens = "token_blacklist_outstandingtoken"
    psql(db, f"UPDATE {tokens} SET expires_at = now() - interval '1 day' WHERE token = '{expired}'")
    families = (
        "SELECT count(*) FROM tokens_family WHERE user_id = "
        f"(SELECT user_id FROM {tokens} WHERE token = '{current}')"
    )
    assert psql(db, families) == "2"

    # What beat queues daily, queued once by hand and run by the worker.
    task = f"{SLUG}.tokens.tasks.cleanup_tokens"
    run(["uv", "run", "celery", "-A", "config", "call", task], site.project, **site.env)
    deadline = time.monotonic() + 30
    while psql(db, families) != "1":  # the family of the expired token, gone with it
        assert time.monotonic() < deadline, "the cleanup did not run"
        time.sleep(0.2)
    assert psql(db, f"SELECT count(*) FROM {tokens} WHERE expires_at < now()") == "0"
    refreshed = http("POST", f"{site.bases[0]}/api/auth/refresh", {"refresh": current})
    assert refreshed.status == 200, refreshed.text


# The hybrid's realtime service counts each user's open streams in Redis (realtime/slots.py):
# two RedisSlots stand for two processes of the service, as a server's workers would hold them.
SLOTS_CHECK = """
import asyncio, sys
from redis.asyncio import Redis
from realtime import slots

async def main():
    slots.TTL_SECONDS = 1.0  # a minute in production
    redis = Redis.from_url(sys.argv[1])
    one, two = slots.RedisSlots(redis, limit=2), slots.RedisSlots(redis, limit=2)
    first, second = await one.take(7), await two.take(7)
    assert first and second, (first, second)
    assert await one.take(7) is None and await two.take(7) is None  # 2 across both
    assert await two.take(8)  # per user
    await one.release(7, first)
    third = await two.take(7)  # a released place is free for any process
    assert third
    # Process two keeps `third` alive; `second` stands for a process that died: never refreshed,
    # it lapses, and its place is free again.
    await asyncio.sleep(0.6)
    await two.refresh({third: 7})
    await asyncio.sleep(0.6)
    assert await one.take(7)
    assert await one.take(7) is None
    await redis.aclose()

asyncio.run(main())
print("ok")
"""


def test_the_realtime_stream_limit_is_counted_in_redis_across_processes(installed):
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB + 1}"
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.RedisError as error:
        pytest.skip(f"Redis does not answer on 127.0.0.1:6379 ({error}): start redis-server")
    service = installed("hybrid") / "services/realtime"
    try:
        result = run(["uv", "run", "python", "-c", SLOTS_CHECK, redis_url], service)
    finally:
        client.flushdb()
    assert result.stdout.strip() == "ok"
