"""Production servers of generated projects, started the way their READMEs deploy them."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import free_port, run, server

# The drf core's production settings, as a deployment would set them.
DRF_PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "JWT_SIGNING_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
}
STAFF = ("staff@example.com", "staff-Passphrase-42")
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


@contextmanager
def drf_core(project: Path, database_url: str, **settings: str) -> Iterator[str]:
    """Migrate, collect static files, create the staff user STAFF, serve with gunicorn on a free
    loopback port; yield the base URL. `settings` override the environment (WEB_CONCURRENCY,
    AUTH_RATE_LIMIT, ...)."""
    env = drf_env(database_url)
    manage = ["uv", "run", "python", "manage.py"]
    run([*manage, "migrate", "--noinput"], project, **env)
    run([*manage, "collectstatic", "--noinput"], project, **env)
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
    project: Path, database_url: str, workers: int = 2, **settings: str
) -> Iterator[str]:
    """The fastapi stack migrated with Alembic and served with `make serve` (its production
    server, `workers` processes) on a free loopback port; yield the base URL. `settings`
    override the environment."""
    env = {
        **FASTAPI_PRODUCTION,
        "DATABASE_URL": database_url,
        "AUTH_RATE_LIMIT": "1000/minute",
        **settings,
    }
    run(["uv", "run", "alembic", "upgrade", "head"], project, **env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = ["make", "serve", "HOST=127.0.0.1", f"PORT={port}", f"WORKERS={workers}"]
    with server(serve, project, f"{base}/health", **env):
        yield base
