"""Background jobs and email of the drf stack, as deployed: the production server (gunicorn),
Redis (REDIS_URL) and a real Celery worker started with `make worker`, as the README says, and
the session's SMTP server (conftest's `mailbox`) as EMAIL_URL.

One project (the session's installed drf project, unchanged: the mails are the ones it ships),
one database, one Redis database (REDIS_DB, flushed first) and one worker for the whole module;
each test checks several promises per sequence. The account walk (tests/accounts.py) runs here
too, so its mails go through Redis and the worker.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from accounts import PASSWORD, link_token, walk
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
    server,
)
from servers import FRONTEND_URL, STAFF, drf_core, drf_env
from smtp_mailbox import Mailbox

pytestmark = pytest.mark.slow

SLUG = "acme_analytics"  # DEFAULT_ANSWERS' project name, slugged
REDIS_DB = 7  # this module's own database on the machine's Redis
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
# AUTH_RATE_LIMIT per minute: the walk signs one address in 7 times and spends 3 of a bucket per
# client IP; the shared limit test trips its own address's sign-ins at request 11.
RATE_LIMIT = 10
FROM = "Acme <hello@acme.test>"


@dataclass
class Site:
    project: Path
    env: dict[str, str]
    bases: tuple[str, str]  # two web servers (gunicorn) on one database and one Redis
    mailbox: Mailbox
    worker: Worker

    def register(self, base: str) -> str:
        """A new user, registered over HTTP: the view queues its verification mail."""
        email = f"bg-{uuid.uuid4().hex[:8]}@example.com"
        created = http("POST", f"{base}/api/auth/register", {"email": email, "password": PASSWORD})
        assert created.status == 201, created.text
        return email


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


@pytest.fixture(scope="module")
def site(installed, mailbox) -> Iterator[Site]:
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")
    broker = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        broker.flushdb()
    except redis.RedisError as error:
        pytest.skip(f"Redis does not answer on 127.0.0.1:6379 ({error}): start redis-server")
    project = installed("drf")
    database_url = fresh_postgres_database("stackwise_background_drf", prefix="")
    try:
        env = {
            **drf_env(database_url),
            "REDIS_URL": REDIS_URL,
            "EMAIL_URL": mailbox.url,
            "DEFAULT_FROM_EMAIL": FROM,
            "FRONTEND_URL": FRONTEND_URL,
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
        drop = f'DROP DATABASE IF EXISTS "{database_name(database_url)}" WITH (FORCE)'
        psql(POSTGRES_ADMIN_URL, drop)


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

    email = site.register(site.bases[0])  # queued in Redis by the view, sent by the worker
    message = site.mailbox.wait_for(email)
    assert message["From"] == FROM and message["To"] == email
    # The shipped verify_email: both bodies carry the link (SMTP ends lines with CRLF), the plain
    # one unescaped, the HTML one escaped by its template.
    link_token(message, FRONTEND_URL, "verify_email")
    assert "\r\n" in message.get_body(("plain",)).get_content()
    assert "<a href=" in message.get_body(("html",)).get_content()


def test_a_mail_queued_while_the_worker_is_dead_arrives_once_it_is_back(site):
    site.worker.kill()  # SIGKILL: no shutdown, nothing handed back
    email = site.register(site.bases[1])
    time.sleep(0.5)
    assert site.mailbox.to(email) == []  # queued in Redis, not sent
    site.worker.start()
    site.mailbox.wait_for(email)
    time.sleep(1.5)  # a second delivery would come now
    assert len(site.mailbox.to(email)) == 1


def test_the_account_flows_run_through_redis_and_the_worker(site):
    """Every account mail of the walk is queued in Redis by a web process and sent by the worker."""
    walk(site.bases[1], site.mailbox, FRONTEND_URL)


def test_two_web_processes_share_the_rate_limit(site):
    """Alternating between the two servers, sign-ins for one address trip the limit at request
    RATE_LIMIT + 1 overall (per-process counts would allow 2 x RATE_LIMIT). The sign-in bucket
    (per email and client IP, this test's own address), so the other tests spend none of it."""
    body = {"email": f"shared-{uuid.uuid4().hex[:8]}@example.com", "password": "pw-x9-Kq3-zz7"}
    statuses = []
    for i in range(RATE_LIMIT + 2):
        statuses.append(http("POST", f"{site.bases[i % 2]}/api/auth/token", body).status)
    assert statuses == [401] * RATE_LIMIT + [429, 429], statuses


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
