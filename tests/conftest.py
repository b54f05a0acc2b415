from __future__ import annotations

import re
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from browser import Chromium  # noqa: E402
from harness import DEFAULT_ANSWERS, TEMPLATE, postgres_available, run  # noqa: E402
from servers import FRONTEND_URL, Production, production_servers  # noqa: E402
from smtp_mailbox import Mailbox  # noqa: E402


def pytest_configure(config):
    # pytest-copie renders from --template (default "."): pin it so pytest runs from any folder.
    config.option.template = str(TEMPLATE)


@pytest.fixture(scope="session")
def rendered(copie_session):
    """render(stack, **answers) -> the project folder, rendered once per session per answers.
    With stack=None the stack is left to its default: the recommendation."""
    cache: dict[tuple, Path] = {}

    def render(stack: str | None, **answers) -> Path:
        key = (stack, tuple(sorted(answers.items())))
        if key not in cache:
            chosen = {"stack": stack} if stack else {}
            result = copie_session.copy(extra_answers={**DEFAULT_ANSWERS, **chosen, **answers})
            assert result.exit_code == 0, result.exception
            cache[key] = result.project_dir
        return cache[key]

    return render


@pytest.fixture(scope="session")
def installed(rendered):
    """installed(stack, **answers) -> a rendered project after `uv sync`, once per session."""
    synced: set[Path] = set()

    def install(stack: str, **answers) -> Path:
        project = rendered(stack, **answers)
        if project not in synced:
            run(["uv", "sync"], project)
            synced.add(project)
        return project

    return install


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session's page loads; the test skips when it is missing.
    Session-scoped, so it skips before any server starts for the test."""
    with Chromium() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def mailbox():
    """A real SMTP server (aiosmtpd) for the session: the shared production servers send their
    mail to it (EMAIL_URL), and tests read what arrived for their own addresses."""
    with Mailbox() as mailbox:
        yield mailbox


@pytest.fixture(scope="session")
def production(installed, mailbox):
    """production(stack, **answers) -> servers.Production: the installed project's production
    server(s) on a PostgreSQL database of their own, started once per session per answers and
    shared by every module (the test skips, saying why, when PostgreSQL does not answer).

    `.base` is the API (drf, fastapi, or the hybrid's core), `.service` the hybrid's realtime
    service (None elsewhere), `.database_url` their database, `.project` the project folder and
    `.delete_user(email)` deletes a user the stack's own way. The settings are servers.py's:
    production, plain HTTP on loopback (SECURE_SSL_REDIRECT=false on drf), AUTH_RATE_LIMIT
    1000/minute, two workers, ADMIN_LOGIN_RATE_LIMIT at its default, the staff user
    servers.STAFF, one signing key for every stack (servers.SIGNING_KEY), no REDIS_URL (tasks
    run in the web process), and mail to the session's `mailbox` with links to FRONTEND_URL.

    Shared means: register users with unique emails (contract.unique_email), change or delete
    only what the test created, and leave the servers as they are for the next module, in any
    order: spend no rate-limit budget another test draws on (the auth buckets of 127.0.0.1; the
    admin sign-in's for STAFF: throttle tests sign in as a user of their own), never stop the
    database, never need other settings. A test that needs any of that starts its own server
    with the servers.py context managers (drf_core, realtime_service, fastapi_app), once per
    module where it can, as test_stack_drf's outage test and test_clients do."""
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")
    started: dict[tuple, Production] = {}
    with ExitStack() as running:

        def start(stack: str, **answers) -> Production:
            key = (stack, tuple(sorted(answers.items())))
            if key not in started:
                project = installed(stack, **answers)
                name = f"stackwise_production_{stack}_{project.name}"
                name = re.sub(r"\W+", "_", name)
                staff = answers.get("back_office", True)
                mail = {"EMAIL_URL": mailbox.url, "FRONTEND_URL": FRONTEND_URL}
                servers = production_servers(stack, project, name, staff, **mail)
                started[key] = running.enter_context(servers)
            return started[key]

        yield start
