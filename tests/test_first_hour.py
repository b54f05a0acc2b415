"""The first hour of a generated project, as a newcomer runs it: `make dev` with no `.env` and with
`.env.example` copied to `.env` (as every README suggests), a browser frontend on a local dev
server, and production settings that stay safe when that `.env` is still there."""

from __future__ import annotations

import secrets
import shutil
import urllib.parse
import uuid
from http.client import HTTPConnection, HTTPMessage
from pathlib import Path

import contract
import pytest
from harness import free_port, http, run, server, wait_for
from sse import EventStream

pytestmark = pytest.mark.slow

FRONTEND = "http://localhost:5173"  # Vite's dev server, one of the origins development allows
PASSWORD = "first-Passphrase-7"
# What a deployment sets on top of the copied `.env`: the variables production requires.
PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "JWT_SIGNING_KEY": secrets.token_urlsafe(50),
    # A file in the project's private copy (each service's folder), enough for /health.
    "DATABASE_URL": "sqlite:///production.sqlite3",
}
# A request as the TLS-terminating proxy in front of production passes it on.
BEHIND_TLS = {"Host": "localhost", "X-Forwarded-Proto": "https"}
SLUG = "acme_analytics"  # the project_slug of the default answers
NOT_COPIED = shutil.ignore_patterns(".venv", "db.sqlite3", "staticfiles", "__pycache__", ".*_cache")


@pytest.fixture(scope="module")
def with_env_example(installed, tmp_path_factory):
    """with_env_example(stack) -> a private copy of the installed project with `.env.example`
    copied to `.env`, so the shared project's environment stays as other tests expect it."""
    copies: dict[str, Path] = {}

    def copy(stack: str) -> Path:
        if stack not in copies:
            project = tmp_path_factory.mktemp(f"{stack}-dotenv") / "project"
            shutil.copytree(installed(stack), project, ignore=NOT_COPIED)
            shutil.copyfile(project / ".env.example", project / ".env")
            run(["uv", "sync"], project)
            copies[stack] = project
        return copies[stack]

    return copy


def send(method: str, url: str, headers: dict[str, str]) -> tuple[int, HTTPMessage]:
    """One request with these headers, redirects NOT followed: (status, response headers)."""
    parts = urllib.parse.urlsplit(url)
    connection = HTTPConnection(parts.netloc, timeout=30)
    try:
        connection.request(method, parts.path, headers=headers)
        reply = connection.getresponse()
        reply.read()
        return reply.status, reply.headers
    finally:
        connection.close()


def cors_allows(url: str, origin: str = FRONTEND, **extra: str) -> bool:
    """Whether a browser's CORS preflight from `origin`, for an authenticated JSON POST, passes."""
    preflight = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    status, headers = send("OPTIONS", url, {**preflight, **extra})
    # A redirect (production's plain HTTP) never reaches CORS: "not allowed" would prove nothing.
    assert not 300 <= status < 400, f"the preflight was redirected ({status})"
    allowed = headers.get("Access-Control-Allow-Origin") == origin
    assert not allowed or status == 200, status
    return allowed


def assert_the_service_takes_the_cores_tokens(core: str, service: str, access: str) -> None:
    """The README's "Try it": a core token opens the service's stream and posts an event, which
    arrives with the timestamp the core gives it (ISO 8601, UTC as Z)."""
    stream = EventStream(service, access)
    try:
        batch = {"events": [{"name": "signup", "data": {"plan": "pro"}}]}
        accepted = http("POST", f"{service}/api/events", batch, access)
        assert accepted.status == 202, accepted.text
        streamed = stream.next_event()
    finally:
        stream.close()
    (listed,) = http("GET", f"{core}/api/events", token=access).json()["results"]
    assert (streamed["id"], streamed["name"]) == (listed["id"], "signup")
    assert streamed["created_at"] == listed["created_at"] and listed["created_at"].endswith("Z")


@pytest.mark.parametrize(
    "stack,dotenv",
    [(stack, dotenv) for stack in ("drf", "fastapi", "hybrid") for dotenv in (False, True)],
    ids=lambda value: {False: "no-env", True: "env-example"}.get(value, value),
)
def test_make_dev_serves_signs_in_and_lets_a_local_frontend_call(
    installed, with_env_example, stack, dotenv
):
    project = with_env_example(stack) if dotenv else installed(stack)
    port, realtime_port = free_port(), free_port()
    base, realtime = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{realtime_port}"
    cmd = ["make", "dev", f"PORT={port}", f"REALTIME_PORT={realtime_port}"]
    with server(cmd, project, f"{base}/health", timeout=120):
        assert http("GET", f"{base}/health").json() == {"status": "ok", "database": "ok"}
        contract.assert_first_urls(base)  # the URL `make dev` prints leads to the docs
        email = f"first-{uuid.uuid4().hex[:8]}@example.com"
        tokens = contract.register_and_login(base, email, PASSWORD)
        me = http("GET", f"{base}/api/auth/me", token=tokens["access"])
        assert me.status == 200 and me.json()["email"] == email, me.text
        if stack == "hybrid":
            wait_for(f"{realtime}/health", timeout=60)  # the service, from the same command
            contract.assert_first_urls(realtime)
            assert_the_service_takes_the_cores_tokens(base, realtime, tokens["access"])
            assert cors_allows(f"{realtime}/api/events")
        assert cors_allows(f"{base}/api/auth/token")
        assert not cors_allows(f"{base}/api/auth/token", "https://elsewhere.example")


def serve_options(port: int) -> list[str]:
    return ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]


def assert_https_only_and_no_origin_allowed(base: str, get_path: str, post_path: str) -> None:
    """Plain HTTP is redirected to HTTPS; behind the TLS proxy (which says so in
    X-Forwarded-Proto) the request reaches the app: HSTS, and CORS allows no origin."""
    status, headers = send("GET", f"{base}{get_path}", {"Host": "localhost"})
    assert (status, headers["Location"]) == (301, f"https://localhost{get_path}")
    status, headers = send("GET", f"{base}{get_path}", BEHIND_TLS)
    assert status == 401 and "max-age=31536000" in headers["Strict-Transport-Security"]
    assert not cors_allows(f"{base}{post_path}", **BEHIND_TLS)


@pytest.mark.parametrize("stack", ["drf", "fastapi", "hybrid"])
def test_production_with_the_copied_env_keeps_https_and_allows_no_origin(with_env_example, stack):
    project = with_env_example(stack)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if stack == "fastapi":
        cmd = ["uv", "run", "python", "-m", f"{SLUG}.serve", *serve_options(port)]
        with server(cmd, project, f"{base}/health", **PRODUCTION):
            assert_https_only_and_no_origin_allowed(base, "/api/auth/me", "/api/auth/token")
        return

    run(
        ["uv", "run", "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        project,
        **PRODUCTION,
    )
    env = {**PRODUCTION, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1"}
    with server(["uv", "run", "gunicorn", "config.wsgi"], project, f"{base}/health", **env):
        assert_https_only_and_no_origin_allowed(base, "/api/auth/me", "/api/auth/token")
    if stack == "hybrid":
        service_port = free_port()
        service = f"http://127.0.0.1:{service_port}"
        cmd = ["uv", "run", "python", "-m", "realtime.serve", *serve_options(service_port)]
        with server(cmd, project / "services/realtime", f"{service}/health", **PRODUCTION):
            assert_https_only_and_no_origin_allowed(service, "/api/events/stream", "/api/events")
