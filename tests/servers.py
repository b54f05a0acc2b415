"""Production servers of generated projects, started the way their READMEs deploy them."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness import (
    POSTGRES_ADMIN_URL,
    database_name,
    free_port,
    fresh_postgres_database,
    psql,
    run,
    server,
)

# The key that signs access and refresh tokens: the drf core's JWT_SIGNING_KEY and the fastapi
# stack's SECRET_KEY in the shared production servers (conftest's `production`).
SIGNING_KEY = secrets.token_urlsafe(50)
# The drf core's production settings, as a deployment would set them.
DRF_PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "JWT_SIGNING_KEY": SIGNING_KEY,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
}
STAFF = ("staff@example.com", "staff-Passphrase-42")
# Where the shared production servers' account emails link to (their FRONTEND_URL).
FRONTEND_URL = "https://app.example.test"
# The fastapi stack's production settings.
FASTAPI_PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    # The tests speak plain HTTP on loopback; a TLS proxy does this job in production.
    "SECURE_SSL_REDIRECT": "false",
}


def drf_env(database_url: str) -> dict[str, str]:
    return {
        **DRF_PRODUCTION,
        "DATABASE_URL": database_url,
        # The tests speak plain HTTP on loopback; a TLS proxy does this job in production.
        "SECURE_SSL_REDIRECT": "false",
        "AUTH_RATE_LIMIT": "1000/minute",
    }


# The projects whose static files drf_core has collected in this session.
COLLECTED: set[Path] = set()


@contextmanager
def drf_core(project: Path, database_url: str, **settings: str) -> Iterator[str]:
    """Migrate, collect static files (once per project), create the staff user STAFF, serve
    with gunicorn on a free loopback port; yield the base URL. `settings` override the
    environment (WEB_CONCURRENCY, AUTH_RATE_LIMIT, ...)."""
    env = drf_env(database_url)
    manage = ["uv", "run", "python", "manage.py"]
    run([*manage, "migrate", "--noinput"], project, **env)
    if project not in COLLECTED:  # the files and STATIC_ROOT stay put: once per project is enough
        run([*manage, "collectstatic", "--noinput"], project, **env)
        COLLECTED.add(project)
    email, password = STAFF
    run(
        [*manage, "createsuperuser", "--noinput"],
        project,
        DJANGO_SUPERUSER_EMAIL=email,
        DJANGO_SUPERUSER_PASSWORD=password,
        **env,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve_env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2", **settings}
    with server(["uv", "run", "gunicorn", "config.wsgi"], project, f"{base}/health", **serve_env):
        yield base


@contextmanager
def realtime_service(project: Path, database_url: str, **settings: str) -> Iterator[str]:
    """The hybrid's FastAPI service with its production server (uvicorn), on the core's database
    and signing key; yield the base URL. `settings` override the environment (WORKERS, ...)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        "uv",
        "run",
        "python",
        "-m",
        "realtime.serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    env = {**drf_env(database_url), "FEED_POLL_INTERVAL": "0.1", **settings}
    with server(cmd, project / "services/realtime", f"{base}/health", **env):
        yield base


@contextmanager
def fastapi_app(
    project: Path, database_url: str, staff: bool = False, **settings: str
) -> Iterator[str]:
    """The fastapi stack migrated with Alembic and served with `make serve` (its production
    server) on a free loopback port; yield the base URL. `staff` creates the staff user STAFF
    (projects with the back office); `settings` override the environment (AUTH_RATE_LIMIT,
    SECRET_KEY, ...) and WORKERS the number of worker processes (2)."""
    workers = settings.pop("WORKERS", "2")
    env = {
        **FASTAPI_PRODUCTION,
        "DATABASE_URL": database_url,
        "AUTH_RATE_LIMIT": "1000/minute",
        **settings,
    }
    run(["uv", "run", "alembic", "upgrade", "head"], project, **env)
    if staff:
        package = next(path.parent.name for path in project.glob("*/main.py"))
        email, password = STAFF
        create = ["uv", "run", "python", "-m", f"{package}.create_superuser", "--email", email]
        run(create, project, SUPERUSER_PASSWORD=password, **env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = ["make", "serve", "HOST=127.0.0.1", f"PORT={port}", f"WORKERS={workers}"]
    with server(serve, project, f"{base}/health", **env):
        yield base


@dataclass(frozen=True)
class Production:
    """A generated project's production server(s) on a PostgreSQL database of their own."""

    stack: str
    project: Path
    database_url: str
    base: str  # the API: the drf or fastapi server, or the hybrid's core
    service: str | None = None  # the hybrid's realtime service

    def delete_user(self, email: str) -> None:
        """Delete the user the stack's own way, as an admin deleting the account would (Django's
        ORM with its cascades; fastapi's rows cascade in the database); the tokens it already
        holds stay with the client (contract.walk_deleted_user)."""
        if self.stack == "fastapi":
            quoted = email.replace("'", "''")
            psql(self.database_url, f"DELETE FROM users WHERE email = '{quoted}'")
            return
        code = (
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.filter(email={email!r}).delete()"
        )
        manage = ["uv", "run", "python", "manage.py", "shell", "-c", code]
        run(manage, self.project, **drf_env(self.database_url))


@contextmanager
def production_servers(
    stack: str, project: Path, name: str, staff: bool = True, **settings: str
) -> Iterator[Production]:
    """The stack's production server(s), as conftest's `production` shares them: a fresh
    PostgreSQL database `name` (dropped after them), the staff user STAFF (on fastapi only when
    `staff`: projects with the back office), the hybrid's core with its realtime service. One
    signing key for every stack (SIGNING_KEY), so the same user id holds the same token on
    each. `settings` override the environment of the API (EMAIL_URL, ...)."""
    database_url = fresh_postgres_database(name, prefix="")
    try:
        if stack == "fastapi":
            settings = {"SECRET_KEY": SIGNING_KEY, **settings}
            with fastapi_app(project, database_url, staff=staff, **settings) as base:
                yield Production(stack, project, database_url, base)
            return
        with drf_core(project, database_url, **settings) as base:
            if stack == "drf":
                yield Production(stack, project, database_url, base)
                return
            with realtime_service(project, database_url) as service:
                yield Production(stack, project, database_url, base, service)
    finally:
        drop = f'DROP DATABASE IF EXISTS "{database_name(database_url)}" WITH (FORCE)'
        psql(POSTGRES_ADMIN_URL, drop)
