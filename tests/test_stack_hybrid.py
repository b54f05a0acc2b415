"""The hybrid stack: a DRF core and a FastAPI service on one identity and one database, rendered,
run for real, and grown into from a drf project without losing an edit."""

from __future__ import annotations

import re
import uuid

import contract
import copier
import pytest
from harness import (
    DEFAULT_ANSWERS,
    commit_all,
    fresh_postgres_database,
    generate_committed,
    git,
    http,
    run,
    snapshot_template,
)
from servers import drf_core, drf_env, realtime_service
from sse import EventStream

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(installed):
    return installed("hybrid")


def test_lint_both_suites_migrations_and_schema(project):
    run("uv run ruff check . && uv run ruff format --check .", project)
    result = run(["uv", "run", "pytest", "-v", "-p", "no:cacheprovider"], project)
    # One command runs both suites: the core's and the service's.
    assert "tests/test_items.py::" in result.stdout
    assert "services/realtime/tests/test_events.py::" in result.stdout
    # The service's suite also runs on its own, from its folder.
    run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project / "services/realtime")
    run(["uv", "run", "python", "manage.py", "makemigrations", "--check", "--dry-run"], project)
    run(
        "uv run python manage.py spectacular --validate --fail-on-warn --file /dev/null",
        project,
    )


def test_the_service_refuses_to_start_in_production_without_the_signing_key(project):
    with pytest.raises(AssertionError, match="Refusing to start: JWT_SIGNING_KEY is not set"):
        run(
            ["make", "serve-realtime", "REALTIME_PORT=0"],
            project,
            timeout=60,
            ENVIRONMENT="production",
        )


def expired_access_token(project, env, email: str) -> str:
    """An access token the core itself issues, already expired."""
    code = (
        "from datetime import timedelta; "
        "from rest_framework_simplejwt.tokens import AccessToken; "
        "from django.contrib.auth import get_user_model; "
        f"token = AccessToken.for_user(get_user_model().objects.get(email='{email}')); "
        "token.set_exp(lifetime=timedelta(seconds=-1)); print(token)"
    )
    result = run(["uv", "run", "python", "manage.py", "shell", "-c", code], project, **env)
    return result.stdout.strip().splitlines()[-1]


def walk_events(core: str, service: str, project, env) -> None:
    email, password = f"ingest-{uuid.uuid4().hex[:8]}@example.com", "correct-horse-battery-9"
    tokens = contract.register_and_login(core, email, password)
    access = tokens["access"]

    stream = EventStream(service, access)
    try:
        batch = {
            "events": [
                {"name": "page_view", "data": {"path": "/pricing"}},
                {"name": "signup", "data": {"plan": "pro"}},
            ]
        }
        accepted = http("POST", f"{service}/api/events", batch, access)
        assert accepted.status == 202 and accepted.json() == {"accepted": 2}, accepted.text
        received = [stream.next_event(), stream.next_event()]
        assert [(e["name"], e["data"]) for e in received] == [
            ("page_view", {"path": "/pricing"}),
            ("signup", {"plan": "pro"}),
        ]
    finally:
        stream.close()

    listed = http("GET", f"{core}/api/events", token=access)
    assert listed.status == 200, listed.text
    newest_first = [(e["name"], e["data"]) for e in listed.json()["results"]]
    assert newest_first == [("signup", {"plan": "pro"}), ("page_view", {"path": "/pricing"})]
    assert sorted(e["id"] for e in listed.json()["results"]) == sorted(e["id"] for e in received)
    # The stream writes timestamps exactly as the core does (ISO 8601, UTC as Z).
    core_times = {e["id"]: e["created_at"] for e in listed.json()["results"]}
    assert {e["id"]: e["created_at"] for e in received} == core_times

    # A bad batch is refused whole: nothing of it is written.
    bad = {"events": [{"name": "fine"}, {"name": ""}]}
    contract.assert_error(http("POST", f"{service}/api/events", bad, access), 400, "events.1.name")
    assert http("GET", f"{core}/api/events", token=access).json()["count"] == 2

    # Only live access tokens get in.
    refused = [tokens["refresh"], expired_access_token(project, env, email), "not.a.token"]
    for token in refused:
        reply = http("POST", f"{service}/api/events", {"events": [{"name": "x"}]}, token)
        contract.assert_error(reply, 401)
        assert reply.json()["code"] == "token_not_valid"
    contract.assert_error(http("POST", f"{service}/api/events", {"events": []}), 401)

    # Another user sees none of these events.
    rival = contract.register_and_login(core, f"rival-{uuid.uuid4().hex[:8]}@example.com", password)
    assert http("GET", f"{core}/api/events", token=rival["access"]).json()["count"] == 0

    # The service's own health, schema and docs, with no CDN, and its first URLs.
    assert http("GET", f"{service}/health").json() == {"status": "ok", "database": "ok"}
    schema = http("GET", f"{service}/api/openapi.json").json()
    assert {"/api/events", "/api/events/stream"} <= set(schema["paths"])
    contract.assert_docs_read_well(schema)
    contract.assert_self_hosted(service, "/api/docs")
    contract.assert_self_hosted(service, "/api/redoc")
    contract.assert_first_urls(service)
    contract.walk_events_queries(core, access)
    contract.walk_realtime_edges(service, access)


def walk(project, database_url: str, core: str, service: str) -> None:
    contract.walk(core)  # the core keeps the contract of the drf stack, unchanged
    walk_events(core, service, project, drf_env(database_url))


@pytest.fixture(scope="module")
def on_sqlite(project, tmp_path_factory):
    """The core and the service on one SQLite file, started once for the tests that speak HTTP
    to them; yields the database URL and both base URLs."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('hybrid') / 'shared.sqlite3'}"
    with (
        drf_core(project, database_url) as core,
        realtime_service(project, database_url) as service,
    ):
        yield database_url, core, service


def test_core_and_service_work_together_on_sqlite(project, on_sqlite):
    walk(project, *on_sqlite)


def test_docs_in_a_browser(browser, on_sqlite):
    _, core, service = on_sqlite
    contract.assert_docs_in_browser(browser, core)
    contract.assert_docs_in_browser(browser, service)


def test_core_and_service_work_together_on_postgresql(project, production):
    """Both suites on PostgreSQL, then the walk against the session's production pair on it
    (conftest's `production`, which skips without PostgreSQL)."""
    run(
        ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"],
        project,
        DATABASE_URL=fresh_postgres_database("stackwise_hybrid_suite"),
    )
    live = production("hybrid")
    walk(project, live.database_url, live.base, live.service)


def test_a_drf_project_grows_into_hybrid_and_keeps_every_edit(tmp_path, installed):
    template = snapshot_template(tmp_path / "template")
    git(template, "tag", "v1.0.0")
    project = generate_committed(template, tmp_path / "project", "drf", "v1.0.0")

    slug = DEFAULT_ANSWERS["project_name"].lower().replace(" ", "_")
    models = project / slug / "items/models.py"
    method = (
        "    def mark_done(self):\n"
        "        self.done = True\n"
        '        self.save(update_fields=["done"])\n\n'
    )
    models.write_text(
        models.read_text().replace("    def __str__(self):", method + "    def __str__(self):")
    )
    views = project / slug / "items/views.py"
    views.write_text(
        views.read_text().replace(
            # A change that keeps the contract: the project's own contract test holds the
            # shared endpoints to it (a new filter would be a deliberate contract change).
            'filterset_fields = ["done"]',
            'filterset_fields = ["done"]  # ours: "title" too once support asks',
        )
    )
    readme = project / "README.md"
    readme.write_text(
        readme.read_text().replace(
            "## The admin\n", "## The admin\n\nOur support team lives here.\n"
        )
    )
    commit_all(project, "our edits")
    edited = {path: path.read_text() for path in (models, views)}

    copier.run_update(
        str(project),
        data={"stack": "hybrid"},
        defaults=True,
        overwrite=True,
        vcs_ref="v1.0.0",
        quiet=True,
    )

    for path, text in edited.items():
        assert path.read_text() == text, f"{path.name} changed"
    text = readme.read_text()
    assert "Our support team lives here." in text and "## The realtime service" in text
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert not re.search(r"^(<<<<<<<|>>>>>>>) ", path.read_text(errors="replace"), re.M), (
                path
            )
            assert path.suffix != ".rej", path
    assert (project / "services/realtime/realtime/events.py").is_file()
    status = git(project, "status", "--porcelain").splitlines()
    assert not [line for line in status if line.startswith(" D") or line.startswith("D ")], status

    run(["uv", "sync"], project)
    run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project)
