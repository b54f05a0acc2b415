"""The fastapi stack, rendered and run: its checks and tests, then the API contract over HTTP."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import contract
import pytest
from harness import (
    POSTGRES_ADMIN_URL,
    database_name,
    free_port,
    fresh_postgres_database,
    postgres_available,
    psql,
    run,
)
from servers import STAFF

pytestmark = pytest.mark.slow

VARIANTS = {
    "defaults": {},
    "renamed": {"project_name": "Orbit Ledger", "project_slug": "ledger", "back_office": False},
}
PROJECT_TESTS = ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"]
MIGRATIONS_CHECK = "uv run alembic upgrade head && uv run alembic check"


@pytest.fixture(scope="module", params=list(VARIANTS))
def variant(request, installed):
    answers = VARIANTS[request.param]
    return installed("fastapi", **answers), answers


@pytest.fixture
def project(variant) -> Path:
    return variant[0]


def has_back_office(variant) -> bool:
    return variant[1].get("back_office", True)


def require_postgres() -> None:
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")


def test_lint_tests_and_migrations_on_sqlite(project, tmp_path):
    run("uv run ruff check . && uv run ruff format --check .", project)
    run(PROJECT_TESTS, project)
    run(MIGRATIONS_CHECK, project, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")


def test_production_refuses_to_start_with_the_default_secret_key(project):
    with pytest.raises(AssertionError, match="SECRET_KEY"):
        run(
            ["make", "serve", "HOST=127.0.0.1", f"PORT={free_port()}"],
            project,
            timeout=60,
            ENVIRONMENT="production",
        )


@pytest.fixture(scope="module")
def live(variant, production):
    """The variant's production server (`make serve`) on PostgreSQL, shared with the session
    (conftest), with the staff user STAFF when the project has the back office."""
    return production("fastapi", **variant[1])


def test_production_server_keeps_the_contract(variant, live):
    if has_back_office(variant):
        contract.walk(live.base, live.delete_user)
        assert_admin_login(live.base, *STAFF)
    else:
        contract.walk_items(live.base, contract.walk_auth(live.base))
        contract.walk_docs(live.base)
        contract.assert_error(contract.http("GET", f"{live.base}/admin/"), 404)


def test_docs_in_a_browser(browser, live):
    contract.assert_docs_in_browser(browser, live.base)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def assert_admin_login(base: str, email: str, password: str) -> None:
    """Sign in through sqladmin's login form with a cookie jar, as a browser behind the TLS proxy
    would: the session cookie is Secure in production."""
    jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(secure_protocols=("http",)))
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    behind_tls = {"X-Forwarded-Proto": "https"}

    def request(path: str, form: dict | None = None):
        data = urllib.parse.urlencode(form).encode() if form else None
        try:
            sent = urllib.request.Request(f"{base}{path}", data, headers=behind_tls)
            return opener.open(sent, timeout=30)
        except urllib.error.HTTPError as reply:  # redirects land here with NoRedirect
            return reply

    assert request("/admin/").status in {302, 303}  # to the login page
    refused = request("/admin/login", {"username": email, "password": "wrong-password-1"})
    assert refused.status == 400
    login = request("/admin/login", {"username": email, "password": password})
    assert login.status in {302, 303}, login.read()
    users = request("/admin/user/list")
    assert users.status == 200 and email in users.read().decode()


def test_migrations_on_postgresql(project):
    require_postgres()
    url = fresh_postgres_database(f"stackwise_fastapi_migrations_{project.name}")
    run(MIGRATIONS_CHECK, project, DATABASE_URL=url)


def test_project_tests_pass_on_postgresql_and_leave_the_developer_database_alone(project):
    """DATABASE_URL names the developer's database, as in their .env: the tests run in a
    test_<name> database of their own on that server, as Django's do, and drop it after."""
    require_postgres()
    url = fresh_postgres_database(f"stackwise_fastapi_dev_{project.name}", prefix="")
    run(["uv", "run", "alembic", "upgrade", "head"], project, DATABASE_URL=url)
    psql(url, DEVELOPER_USER)
    tables = psql(url, TABLES)
    run(PROJECT_TESTS, project, DATABASE_URL=url)
    assert psql(url, TABLES) == tables
    assert psql(url, "SELECT email FROM users") == "dev@example.com"
    left_over = f"SELECT datname FROM pg_database WHERE datname = 'test_{database_name(url)}'"
    assert psql(POSTGRES_ADMIN_URL, left_over) == ""


TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
DEVELOPER_USER = """INSERT INTO users (email, hashed_password, full_name, is_active, is_staff,
date_joined) VALUES ('dev@example.com', 'x', 'Dev', true, false, now())"""
