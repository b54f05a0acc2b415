"""Every stack renders into a clean project that remembers its answers and its decision."""

from __future__ import annotations

import pytest
import yaml

STACKS = ["drf", "fastapi", "hybrid"]

SCENARIOS = {
    "drf": dict(
        priority="ship_fast",
        workload="crud",
        back_office=True,
        team="django",
        architecture="monolith",
    ),
    "fastapi": dict(
        priority="performance",
        workload="realtime",
        back_office=False,
        team="async",
        architecture="services",
    ),
    "hybrid": dict(
        priority="both", workload="mixed", back_office=True, team="mixed", architecture="monolith"
    ),
}


# What running a project adds beside the rendered files (the projects are shared with the tests
# that install and run them).
RUN_ARTEFACTS = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "staticfiles"}


def rendered_files(project):
    return [
        path
        for path in project.rglob("*")
        if path.is_file()
        and not RUN_ARTEFACTS & set(path.relative_to(project).parts)
        and path.name != "uv.lock"
        and path.suffix != ".sqlite3"
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_no_template_syntax_leaks(rendered, stack):
    project = rendered(stack)
    files = rendered_files(project)
    assert files
    for path in files:
        relative = path.relative_to(project)
        assert not any(marker in str(relative) for marker in ("{{", "{%", ".jinja")), relative
        if "templates" in relative.parts:
            continue  # the project's own templates (its mails): their syntax is theirs
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue  # a binary file (fastapi's common-password list), copied as it is
        # The mails' templates are the project's own Jinja2 (or Django) templates.
        owned = "templates" in relative.parts and relative.suffix in (".txt", ".html")
        for marker in (".jinja",) if owned else ("{{", "{%", "{#", ".jinja"):
            assert marker not in text, f"{relative} contains {marker!r}"


@pytest.mark.parametrize("stack", STACKS)
def test_the_answers_file_holds_every_answer(rendered, stack):
    answers = yaml.safe_load((rendered(stack) / ".copier-answers.yml").read_text())
    assert answers["_src_path"] and answers["_commit"]
    expected = {
        "project_name",
        "project_slug",
        "description",
        "author_name",
        "author_email",
        "priority",
        "workload",
        "back_office",
        "team",
        "architecture",
        "stack",
        "initial_stack",  # never asked: the stack the project started with
    }
    assert {k for k in answers if not k.startswith("_")} == expected
    assert answers["stack"] == stack
    # Computed values are recomputed on every run, never stored.
    assert "recommended_stack" not in answers and "recommendation_reasons" not in answers


@pytest.mark.parametrize("stack", STACKS)
def test_each_scenario_gets_its_stack_and_the_record_says_why(rendered, stack):
    """The article's three scenarios, answered as data, with `stack` left to its default."""
    project = rendered(None, **SCENARIOS[stack])
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["stack"] == stack
    adr = (project / "docs/decisions/0001-backend-stack.md").read_text()
    assert adr.startswith(f"# 1. Backend stack: {stack}\n")
    assert "This is the stack stackwise recommended, because:" in adr
    assert "overrides" not in adr
    for heading in ("## Context", "## Decision", "## Consequences", "## Growth path"):
        assert heading in adr
    for answer in SCENARIOS[stack].values():
        if isinstance(answer, str):
            assert f"`{answer}`" in adr


def test_an_override_is_recorded_as_one(rendered):
    project = rendered("fastapi", **SCENARIOS["drf"])
    adr = (project / "docs/decisions/0001-backend-stack.md").read_text()
    assert adr.startswith("# 1. Backend stack: fastapi\n")
    assert "This overrides stackwise's recommendation, **drf**" in adr
    assert "Standard CRUD on business data" in adr  # the reasons it overrode
    assert "async/await needs care" in adr  # and the consequences of what it chose


@pytest.mark.parametrize("stack", STACKS)
def test_the_readme_says_how_to_run_test_and_update(rendered, stack):
    readme = (rendered(stack) / "README.md").read_text()
    assert readme.startswith("# Acme Analytics\n")
    for command in ("uv sync", "make dev", "uv run pytest", "copier update"):
        assert command in readme, command
    assert "docs/decisions/0001-backend-stack.md" in readme


# The names the security section must use, per stack: the token signing key and the CORS list.
SECURITY_NAMES = {
    "drf": ("JWT_SIGNING_KEY", "CORS_ALLOWED_ORIGINS"),
    "fastapi": ("SECRET_KEY", "CORS_ORIGINS"),
    "hybrid": ("JWT_SIGNING_KEY", "CORS_ALLOWED_ORIGINS"),
}


def security_section(readme: str) -> list[str]:
    start = readme.index("\n## Security\n") + 1
    end = readme.index("\n## ", start + 1)
    return readme[start:end].strip().splitlines()


@pytest.mark.parametrize("stack", STACKS)
def test_the_readme_says_what_is_secured_and_what_is_left_to_the_owner(rendered, stack):
    readme = (rendered(stack) / "README.md").read_text()
    assert readme.count("\n## Security\n") == 1
    section = security_section(readme)
    text = "\n".join(section)
    assert len(section) <= 40 and max(map(len, section)) <= 100
    assert "What the project guarantees:" in text and "What stays yours to do:" in text
    signing_key, cors = SECURITY_NAMES[stack]
    assert f"a new `{signing_key}` invalidates every token" in text
    assert f"review `{cors}`" in text
    for promise in ("DATABASE_URL", "NUM_PROXIES", "AUTH_RATE_LIMIT", "1 MiB", "make audit"):
        assert promise in text, promise
    assert "ADMIN_LOGIN_RATE_LIMIT" in text  # a default project has an admin, on every stack
    assert ("STREAM_MAX_PER_USER" in text) == (stack == "hybrid")
    assert ("JWT_SIGNING_KEY" in text) == (stack != "fastapi")


def test_the_security_section_names_no_admin_limit_without_an_admin(rendered):
    project = rendered(None, **SCENARIOS["fastapi"])  # fastapi with back_office=False
    text = "\n".join(security_section((project / "README.md").read_text()))
    assert "ADMIN_LOGIN_RATE_LIMIT" not in text and "per sign-in." in text


# What marks each stack in a rendered project: files and dependencies of its own.
MARKS = {
    "drf": {"manage.py", "config/settings.py", "acme_analytics/users/models.py"},
    "fastapi": {"alembic.ini", "acme_analytics/main.py", "acme_analytics/auth/models.py"},
    "hybrid": {
        "services/realtime/realtime/main.py",
        "acme_analytics/events/models.py",
        "Caddyfile",
    },
}
DEPENDENCIES = {"drf": "django~=", "fastapi": "fastapi~=", "hybrid": "acme_analytics-realtime"}


@pytest.mark.parametrize("stack", STACKS)
def test_nothing_of_another_stack_is_rendered(rendered, stack):
    project = rendered(stack)
    files = {str(p.relative_to(project)) for p in rendered_files(project)}
    own = MARKS[stack] | (MARKS["drf"] if stack == "hybrid" else set())
    assert own <= files
    for other, marks in MARKS.items():
        if not marks <= own:
            assert not (marks - own) & files, f"{stack} renders files of {other}"
    pyproject = (project / "pyproject.toml").read_text()
    for other, dependency in DEPENDENCIES.items():
        wanted = other == stack or (stack == "hybrid" and other == "drf")
        assert (dependency in pyproject) == wanted, (stack, dependency)
