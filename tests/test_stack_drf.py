"""The drf stack, rendered and run: its own checks and tests, then the API contract over HTTP."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import contract
import pytest
from harness import (
    POSTGRES_ADMIN_URL,
    database_name,
    fresh_postgres_database,
    postgres_available,
    psql,
    run,
)
from servers import DRF_PRODUCTION, STAFF, drf_core

pytestmark = pytest.mark.slow

VARIANTS = {
    "defaults": {},
    "renamed": {"project_name": "Orbit Ledger", "project_slug": "ledger", "back_office": False},
}


@pytest.fixture(scope="module", params=list(VARIANTS))
def answers(request) -> dict:
    return VARIANTS[request.param]


@pytest.fixture(scope="module")
def project(answers, installed):
    return installed("drf", **answers)


def test_lint_tests_migrations_and_schema(project):
    run("uv run ruff check . && uv run ruff format --check .", project)
    run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project)
    run(["uv", "run", "python", "manage.py", "makemigrations", "--check", "--dry-run"], project)
    run(
        "uv run python manage.py spectacular --validate --fail-on-warn --file /dev/null",
        project,
    )


def test_production_refuses_to_start_without_a_secret_key(project):
    with pytest.raises(AssertionError, match="SECRET_KEY is not set"):
        run(["uv", "run", "python", "manage.py", "check"], project, ENVIRONMENT="production")


def test_deploy_check_is_clean_in_production(project):
    result = run(
        ["uv", "run", "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        project,
        **DRF_PRODUCTION,
        DATABASE_URL="postgresql://app@db.example.com:5432/app",  # named, never opened
    )
    assert "no issues" in result.stdout


@pytest.fixture(scope="module")
def live(answers, production):
    """The variant's production server on PostgreSQL, shared with the session (conftest)."""
    return production("drf", **answers)


def test_production_server_keeps_the_contract(live):
    contract.walk(live.base, live.delete_user)
    assert_admin_login(live.base, *STAFF)


def test_docs_in_a_browser(browser, live):
    contract.assert_docs_in_browser(browser, live.base)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def assert_admin_login(base: str, email: str, password: str) -> None:
    """Sign in through the admin's login form, as a browser behind the TLS proxy would."""
    jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(secure_protocols=("http",)))
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    proxied = {
        "X-Forwarded-Proto": "https",
        "Referer": f"https://{urllib.parse.urlsplit(base).netloc}/admin/",
    }

    def request(path: str, form: dict | None = None):
        data = urllib.parse.urlencode(form).encode() if form else None
        try:
            return opener.open(urllib.request.Request(f"{base}{path}", data, proxied), timeout=30)
        except urllib.error.HTTPError as reply:  # 302 lands here with NoRedirect
            return reply

    page = request("/admin/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "username": email, "password": password}
    login = request("/admin/login/?next=/admin/", form)
    assert login.status == 302 and login.headers["Location"] == "/admin/", login.read()
    home = request("/admin/")
    assert home.status == 200 and "Site administration" in home.read().decode()


def test_a_database_outage_answers_503_in_the_error_shape(project, answers):
    if answers:
        pytest.skip("the outage path is the same code in every variant")
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")
    url = fresh_postgres_database("stackwise_drf_outage", prefix="")
    with drf_core(project, url) as base:
        drop = f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)'
        contract.walk_database_down(base, lambda: psql(POSTGRES_ADMIN_URL, drop))


def test_project_tests_pass_on_postgresql(project):
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")
    url = fresh_postgres_database(f"stackwise_drf_{project.name}")
    run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project, DATABASE_URL=url)
