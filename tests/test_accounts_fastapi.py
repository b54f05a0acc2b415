"""The fastapi stack's account emails over real HTTP and SMTP: its production server (no
REDIS_URL, so tasks run in the web process) mails an aiosmtpd server the test starts."""

from __future__ import annotations

import accounts_fastapi as accounts
import pytest
from harness import POSTGRES_ADMIN_URL, fresh_postgres_database, postgres_available, psql
from servers import fastapi_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(installed):
    """(base URL, mailbox): one server and one SMTP server for the module."""
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")
    project = installed("fastapi")
    name = "stackwise_accounts_fastapi"
    database_url = fresh_postgres_database(name, prefix="")
    try:
        with (
            accounts.smtp_server() as (mailbox, email_url),
            fastapi_app(project, database_url, EMAIL_URL=email_url, WORKERS="1") as base,
        ):
            yield base, mailbox
    finally:
        psql(POSTGRES_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_verification(served):
    accounts.walk_verification(*served)


def test_password_reset(served):
    accounts.walk_password_reset(*served)


def test_email_change(served):
    accounts.walk_email_change(*served)
