"""Production refuses every key the template publishes, on every stack, and compose carries none.

Every value a rendered project assigns to SECRET_KEY or JWT_SIGNING_KEY anywhere (compose.yaml,
.env.example, READMEs and docs, settings defaults, tests) is collected, and production must refuse
each one, plus a short key, a low-entropy key and a missing DATABASE_URL, each with a message
naming the variable; a random key with a DATABASE_URL is accepted. The fast tests load each
project's own `secret_keys.py` (standard library only) from the rendered files; the slow ones run
the project's real settings over the same values in one process per stack, and its production
entry point (`manage.py check`, `make serve`, `make serve-realtime`) once.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from harness import free_port, project_env, run

STACKS = ["drf", "fastapi", "hybrid"]
PACKAGE = "acme_analytics"  # the slug of the default answers
KEY_NAMES = ("SECRET_KEY", "JWT_SIGNING_KEY")
# Each stack's checking modules, and the keys its production settings check with them.
MODULES = {
    "drf": {"config/secret_keys.py": KEY_NAMES},
    "fastapi": {f"{PACKAGE}/core/secret_keys.py": ("SECRET_KEY",)},
    "hybrid": {
        "config/secret_keys.py": KEY_NAMES,
        "services/realtime/realtime/secret_keys.py": ("JWT_SIGNING_KEY",),
    },
}
# What `make secrets` fills, per stack.
FILLED = {"drf": KEY_NAMES, "fastapi": ("SECRET_KEY",), "hybrid": KEY_NAMES}
# Development defaults each stack publishes in its settings: the collector must find them.
DEFAULTS = {
    "drf": {"django-insecure-development-only-key"},
    "fastapi": {"development-only-secret-key-change-me-before-deploying"},
    "hybrid": {"django-insecure-development-only-key"},
}
SKIPPED = {".venv", ".git", "node_modules", "__pycache__", "staticfiles"}
# `NAME=value` or `NAME: value` in any text file; a value starting with `$` is a reference.
TEXT_ASSIGNMENT = re.compile(r"\b(SECRET_KEY|JWT_SIGNING_KEY)\s*[:=][ \t]*([^\s#]*)")


def good_key() -> str:
    return secrets.token_urlsafe(50)


# The published values ------------------------------------------------------------------------


def _python_values(source: str) -> set[str]:
    """String literals a Python file gives a key: `SOME_KEY = "..."` (and PUBLISHED's list),
    `secret_key="..."` keywords, `{"SECRET_KEY": "..."}` entries, and the other string arguments
    of a call that names a key (`production_secret("SECRET_KEY", "...")`)."""
    found: set[str] = set()

    def strings(node: ast.AST) -> set[str]:
        return {
            n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and type(n.value) is str
        }

    def keyish(name: str) -> bool:
        return bool(re.search(r"(^|_)KEY$|^PUBLISHED$", name, re.IGNORECASE))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and keyish(t.id) for t in targets):
                found |= strings(node.value)
        elif isinstance(node, ast.keyword) and node.arg and keyish(node.arg):
            found |= strings(node.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in KEY_NAMES:
                    found |= strings(value)
        elif isinstance(node, ast.Call):
            named = [a for a in node.args if isinstance(a, ast.Constant) and a.value in KEY_NAMES]
            if named:
                found |= {s for a in node.args for s in strings(a)} - set(KEY_NAMES)
    return found


def published_values(project: Path) -> set[str]:
    """Every value the rendered project gives SECRET_KEY or JWT_SIGNING_KEY, in any file."""
    values: set[str] = set()
    for path in project.rglob("*"):
        if SKIPPED & set(path.relative_to(project).parts) or not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        if path.suffix == ".py":
            values |= _python_values(text)
        for _, value in TEXT_ASSIGNMENT.findall(text):
            value = value.strip("`'\".,;)")
            if value and not value.startswith("$"):
                values.add(value)
    return values


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"secret_keys_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cases(values: set[str]) -> list[tuple[str, str]]:
    """(value, what the refusal says) for each published value and the weak shapes of a key."""
    return [
        *((value, "") for value in sorted(values)),
        ("", "is not set"),
        (good_key()[:49], "is 49 characters long"),
        ("a" * 50, "distinct characters"),
    ]


# Fast: the rendered files ---------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_published_value_and_weak_key_is_refused_naming_the_variable(rendered, stack):
    project = rendered(stack)
    values = published_values(project)
    assert DEFAULTS[stack] <= values, "the collector missed a development default"
    for file, names in MODULES[stack].items():
        module = load(project / file)
        assert values >= module.PUBLISHED  # the module's own list is published too
        for name in names:
            for value, says in cases(values):
                says = "published" if value in module.PUBLISHED else says
                problem = module.refusal(name, value)
                assert problem and problem.startswith(f"{name} ") and says in problem, (name, value)
                assert 'python -c "import secrets; print(secrets.token_urlsafe(50))"' in problem
            assert module.refusal(name, good_key()) is None


@pytest.mark.parametrize("stack", STACKS)
def test_compose_carries_no_key_and_asks_for_make_secrets(rendered, stack):
    project = rendered(stack)
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    values = published_values(project)
    required = set()
    for service in compose["services"].values():
        environment = service.get("environment") or {}
        for name in KEY_NAMES:
            if name in environment:
                reference = re.fullmatch(rf"\$\{{{name}:\?([^}}]*)\}}", environment[name])
                assert reference, f"{name} in compose.yaml is not a required reference"
                assert "make secrets" in reference[1]
                required.add(name)
        assert not values & {str(value) for value in environment.values()}
    assert required == set(FILLED[stack])
    readme = (project / "README.md").read_text()
    assert re.search(r"make secrets[^\n]*\n(?:[^\n]*\n)?docker compose up --build", readme)


def env_lines(env_file: Path) -> dict[str, str]:
    """{name: value} of a .env file's assignments."""
    lines = env_file.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


@pytest.mark.parametrize("stack", STACKS)
def test_make_secrets_fills_env_once_and_keeps_an_owner_value(rendered, stack, tmp_path):
    """`make secrets` runs `uv run python -m <module>`; the module is run here with this Python
    (it needs nothing but the standard library), so no install is needed."""
    project = tmp_path / stack
    shutil.copytree(rendered(stack), project, ignore=shutil.ignore_patterns(*SKIPPED, ".env"))
    recipe = run(["make", "-n", "secrets"], project, timeout=30).stdout.strip()
    module = recipe.removeprefix("uv run python -m ").replace("$(PACKAGE)", PACKAGE)
    assert recipe.startswith("uv run python -m ") and " " not in module, recipe
    fill = [sys.executable, "-m", module]
    check = load(project / f"{module.replace('.', '/')}.py")
    env_file = project / ".env"

    said = run(fill, project).stdout
    example = env_lines(project / ".env.example")
    first = env_lines(env_file)
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert first.keys() == example.keys()  # .env is .env.example, keys filled in
    for name in FILLED[stack]:
        assert f"{name}: a new random value" in said
        assert check.refusal(name, first[name]) is None
    assert {k: v for k, v in first.items() if k not in FILLED[stack]} == {
        k: v for k, v in example.items() if k not in FILLED[stack]
    }

    text = env_file.read_text()
    assert "already set in .env, kept" in run(fill, project).stdout
    assert env_file.read_text() == text  # idempotent

    owner = "the-owner's-own-key"
    env_file.write_text(text.replace(first["SECRET_KEY"], owner))
    said = run(fill, project).stdout
    assert env_lines(env_file)["SECRET_KEY"] == owner
    assert "warning: SECRET_KEY is 19 characters long" in said  # kept, and flagged


# Slow: the real settings and entry points ------------------------------------------------------

# One process per stack runs its production settings over every case; prints {case: message}.
DRF_SETTINGS = """
import json, os, runpy, sys
from django.core.exceptions import ImproperlyConfigured
out = {}
for i, env in enumerate(json.loads(sys.argv[1])):
    os.environ.update(env)
    try:
        runpy.run_path("config/settings.py")
        out[i] = None
    except ImproperlyConfigured as error:
        out[i] = str(error)
print(json.dumps(out))
"""
PYDANTIC_SETTINGS = """
import json, os, sys
from pydantic import ValidationError
from {module} import Settings
out = {{}}
for i, env in enumerate(json.loads(sys.argv[1])):
    os.environ.update(env)
    try:
        Settings(_env_file=None)
        out[i] = None
    except ValidationError as error:
        out[i] = " ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
print(json.dumps(out))
"""
DATABASE = "postgresql://app@db.example.com:5432/app"


def settings_cases(values: set[str], names: tuple[str, ...]) -> list[tuple[dict, str | None]]:
    """(environment, the variable the refusal must name, or None when it must be accepted)."""
    good = {name: good_key() for name in names}
    base = {
        "ENVIRONMENT": "production",
        "ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": DATABASE,
    }
    result: list[tuple[dict, str | None]] = [
        ({**base, **good}, None),
        ({**base, **good, "DATABASE_URL": ""}, "DATABASE_URL"),
    ]
    for name in names:
        for value, _ in cases(values):
            result.append(({**base, **good, name: value}, name))
    return result


def refusals(project: Path, script: str, cases_: list[tuple[dict, str | None]]) -> None:
    result = run(["uv", "run", "python", "-c", script, json.dumps([e for e, _ in cases_])], project)
    messages = json.loads(result.stdout.strip().splitlines()[-1])
    for index, (env, name) in enumerate(cases_):
        message = messages[str(index)]
        if name is None:
            assert message is None, (env, message)
        else:
            assert message and message.startswith(f"{name} "), (env, message)


def refused(cmd: list[str], project: Path, name: str, **env: str) -> str:
    """Run a production entry point that must refuse to start; its output, which names `name`."""
    result = subprocess.run(
        cmd, cwd=project, capture_output=True, text=True, timeout=120, env=project_env(**env)
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert re.search(rf"(Refusing to start: |ImproperlyConfigured: ){name} ", output), output
    return output


@pytest.mark.slow
@pytest.mark.parametrize("stack", ["drf", "hybrid"])
def test_the_core_refuses_in_its_settings_and_in_manage_py_check(installed, stack):
    project = installed(stack)
    values = published_values(project)
    refusals(project, DRF_SETTINGS, settings_cases(values, KEY_NAMES))
    good = {"ENVIRONMENT": "production", "ALLOWED_HOSTS": "localhost", "DATABASE_URL": DATABASE}
    check = ["uv", "run", "python", "manage.py", "check"]
    old_compose = "change-me-to-a-long-random-string-before-any-real-use-0123456789"
    refused(
        check, project, "SECRET_KEY", **good, SECRET_KEY=old_compose, JWT_SIGNING_KEY=good_key()
    )
    keys = {"SECRET_KEY": good_key(), "JWT_SIGNING_KEY": good_key()}
    refused(check, project, "DATABASE_URL", **{**good, **keys, "DATABASE_URL": ""})
    if stack == "hybrid":
        service = project / "services/realtime"
        script = PYDANTIC_SETTINGS.format(module="realtime.settings")
        refusals(service, script, settings_cases(values, ("JWT_SIGNING_KEY",)))
        serve = ["make", "serve-realtime", "REALTIME_PORT=0"]
        dev_key = "django-insecure-development-only-key"
        refused(serve, project, "JWT_SIGNING_KEY", **good, JWT_SIGNING_KEY=dev_key)


@pytest.mark.slow
def test_fastapi_refuses_in_its_settings_and_in_make_serve(installed):
    project = installed("fastapi")
    script = PYDANTIC_SETTINGS.format(module=f"{PACKAGE}.core.settings")
    refusals(project, script, settings_cases(published_values(project), ("SECRET_KEY",)))
    serve = ["make", "serve", "HOST=127.0.0.1", f"PORT={free_port()}"]
    dev_key = "development-only-secret-key-change-me-before-deploying"
    good = {"ENVIRONMENT": "production", "DATABASE_URL": DATABASE}
    refused(serve, project, "SECRET_KEY", **good, SECRET_KEY=dev_key)
    refused(serve, project, "DATABASE_URL", ENVIRONMENT="production", SECRET_KEY=good_key())
