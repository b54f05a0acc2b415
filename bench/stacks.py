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
    migrate: tuple[str, ...]
    # The project's production server command and the environment it is configured by, as its
    # README and Dockerfile give them; {app} and {port} are filled in, one worker.
    serve: tuple[str, ...]
    serve_env: dict[str, str]
    bare_app: str
    overlay_app: str
    packages: tuple[str, ...]  # whose versions the report prints

    def command(self, app: str, port: int) -> tuple[list[str], dict[str, str]]:
        cmd = [part.format(app=app, port=port) for part in self.serve]
        return cmd, {key: value.format(port=port) for key, value in self.serve_env.items()}

    def project_app(self, project: Path) -> str:
        return DISCOVER[self.name](project)

    def overlay_env(self, project: Path) -> dict[str, str]:
        """Point the overlay at the project's own settings or app object."""
        if self.name == "drf":
            return {
                "DJANGO_SETTINGS_MODULE": "bench_drf_settings",
                "BENCH_PROJECT_SETTINGS": drf_settings_module(project),
            }
        return {"BENCH_PROJECT_APP": self.project_app(project)}


def drf_settings_module(project: Path) -> str:
    """The settings module manage.py names (`config.settings`, or the project's own)."""
    manage = (project / "manage.py").read_text()
    return re.search(r"DJANGO_SETTINGS_MODULE['\"],\s*['\"]([\w.]+)['\"]", manage).group(1)


def drf_app(project: Path) -> str:
    return drf_settings_module(project).rsplit(".", 1)[0] + ".wsgi"


def fastapi_app(project: Path) -> str:
    """The `module:app` that the project's uvicorn command serves (its Dockerfile's CMD)."""
    dockerfile = (project / "Dockerfile").read_text()
    return re.search(r"uvicorn['\"]?,?\s*['\"]?([\w.]+:\w+)", dockerfile).group(1)


DISCOVER = {"drf": drf_app, "fastapi": fastapi_app}

STACKS = {
    "drf": Stack(
        name="drf",
        migrate=("uv", "run", "python", "manage.py", "migrate", "--noinput"),
        # gunicorn.conf.py in the project: sync workers, bind from HOST and PORT.
        serve=("uv", "run", "gunicorn", "{app}"),
        serve_env={
            "HOST": "127.0.0.1",
            "PORT": "{port}",
            "ALLOWED_HOSTS": "127.0.0.1",
            "JWT_SIGNING_KEY": "bench-only-jwt-signing-key-not-a-secret-0123456789",
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback: no TLS proxy in front
        },
        bare_app="bare_django:application",
        overlay_app="",  # the project's own WSGI app; the overlay comes in through its settings
        packages=("django", "djangorestframework", "djangorestframework-simplejwt", "gunicorn"),
    ),
    "fastapi": Stack(
        name="fastapi",
        migrate=("uv", "run", "alembic", "upgrade", "head"),
        serve=("uv", "run", "uvicorn", "{app}", "--host", "127.0.0.1", "--port", "{port}"),
        serve_env={},
        bare_app="bare_fastapi:app",
        overlay_app="bench_fastapi_app:app",
        packages=("fastapi", "starlette", "pydantic", "sqlalchemy", "uvicorn", "httpx2", "httpx"),
    ),
}
