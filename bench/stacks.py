"""How the benchmark drives each generated stack: migrate it, serve it with its production command
(one worker), and serve the same command with the bare app or the benchmark's overlay instead of
the project's app. Everything else (seeding, logging in, load) goes through the public API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BARE = BENCH / "bare"
OVERLAY = BENCH / "overlay"


@dataclass(frozen=True)
class Stack:
    name: str
    # How commands run in the project: `uv run`, plus what the benchmark's own endpoint needs,
    # layered on top of the project's environment without changing it.
    uv_run: tuple[str, ...]
    migrate: tuple[str, ...]
    # The project's production server (its Dockerfile's CMD) and the environment that configures
    # it; {app} and {port} are filled in, with one worker.
    serve: tuple[str, ...]
    serve_env: dict[str, str]
    bare_app: str
    packages: tuple[str, ...]  # whose versions the report prints

    def command(self, app: str, port: int) -> tuple[list[str], dict[str, str]]:
        cmd = [*self.uv_run, *(part.format(app=app, port=port) for part in self.serve)]
        return cmd, {key: value.format(port=port) for key, value in self.serve_env.items()}

    def overlay(self, project: Path) -> tuple[str, dict[str, str]]:
        """The app to serve with the benchmark's endpoint added, and the environment that points
        the overlay (bench/overlay/) at the project's own settings or app object."""
        if self.name == "drf":
            settings = drf_settings_module(project)
            app = settings.rsplit(".", 1)[0] + ".wsgi"
            env = {
                "DJANGO_SETTINGS_MODULE": "bench_drf_settings",
                "BENCH_PROJECT_SETTINGS": settings,
            }
            return app, env
        app = fastapi_app(project)
        package = app.split(".", 1)[0]
        user = f"{package}.auth.dependencies:get_current_user"  # the stack's layout
        return "bench_fastapi_app:app", {"BENCH_PROJECT_APP": app, "BENCH_PROJECT_USER": user}


def drf_settings_module(project: Path) -> str:
    """The settings module manage.py names (`config.settings`)."""
    manage = (project / "manage.py").read_text()
    return re.search(r"DJANGO_SETTINGS_MODULE['\"],\s*['\"]([\w.]+)['\"]", manage).group(1)


def fastapi_app(project: Path) -> str:
    """The app factory the project's production server runs (`python -m <package>.serve` calls
    `uvicorn.run("<package>.main:create_app", factory=True, ...)`)."""
    (serve,) = project.glob("*/serve.py")
    return re.search(r"uvicorn\.run\(\s*['\"]([\w.]+:\w+)['\"]", serve.read_text()).group(1)


STACKS = {
    "drf": Stack(
        name="drf",
        uv_run=("uv", "run"),
        migrate=("python", "manage.py", "migrate", "--noinput"),
        # gunicorn.conf.py in the project: sync workers, bind from HOST and PORT.
        serve=("gunicorn", "{app}"),
        serve_env={
            "HOST": "127.0.0.1",
            "PORT": "{port}",
            "ALLOWED_HOSTS": "127.0.0.1",
            "JWT_SIGNING_KEY": "bench-only-jwt-signing-key-not-a-secret-0123456789",
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback: no TLS proxy in front
        },
        bare_app="bare_django:application",
        packages=("django", "djangorestframework", "djangorestframework-simplejwt", "gunicorn"),
    ),
    "fastapi": Stack(
        name="fastapi",
        # The I/O-bound endpoint's async client: httpx2, the maintained fork of httpx. httpx 0.28
        # scans its whole pool on every request and tops out near 100 requests/s at 256
        # connections on this machine, which would measure the client, not the framework.
        uv_run=("uv", "run", "--with", "httpx2~=2.16"),
        migrate=("alembic", "upgrade", "head"),
        # What `python -m <package>.serve` runs, uvicorn with these options, with the app swapped
        # for the overlay (which calls the project's factory) or the bare app.
        serve=("uvicorn", "{app}", "--host", "127.0.0.1", "--port", "{port}", "--workers", "1")
        + ("--proxy-headers", "--no-server-header"),
        serve_env={"SECURE_SSL_REDIRECT": "false"},  # plain HTTP on loopback, as for drf
        bare_app="bare_fastapi:app",
        packages=("fastapi", "starlette", "pydantic", "sqlalchemy", "uvicorn", "httpx2"),
    ),
}
