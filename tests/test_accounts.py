"""The account emails against each stack's production server, over HTTP and a real SMTP server
(tests/accounts.py walks them). No REDIS_URL: the tasks run in the web process."""

from __future__ import annotations

import os

import pytest
from accounts import walk
from harness import POSTGRES_ADMIN_URL, fresh_postgres_database, postgres_available, psql
from servers import drf_core
from smtp_mailbox import Mailbox

pytestmark = pytest.mark.slow

FRONTEND = "https://app.example.test"


@pytest.fixture(scope="module")
def mailbox():
    with Mailbox() as mailbox:
        yield mailbox


@pytest.mark.parametrize("stack", ["drf", "hybrid"])
def test_the_account_flows_over_http_and_smtp(installed, mailbox, stack):
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")
    project = installed(stack)
    name = f"stackwise_accounts_{stack}_{os.getpid()}"  # other sessions keep theirs
    database_url = fresh_postgres_database(name, prefix="")
    settings = {"EMAIL_URL": mailbox.url, "FRONTEND_URL": FRONTEND, "WEB_CONCURRENCY": "1"}
    try:
        with drf_core(project, database_url, **settings) as base:
            walk(base, mailbox, FRONTEND)
    finally:
        psql(POSTGRES_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
