"""Living projects: a project generated from an earlier release takes the newest one with
`copier update`, keeps its owner's edits, and still passes its own tests."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import copier
import pytest
import yaml
from harness import (
    TEMPLATE,
    commit_all,
    generate_committed,
    git,
    run,
    snapshot_template,
)

SLUG = "acme_analytics"
CONFLICT = re.compile(r"^(<<<<<<<|=======|>>>>>>>)( |$)", re.MULTILINE)


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new))


def assert_no_conflicts(project: Path) -> None:
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts and ".venv" not in path.parts:
            assert path.suffix != ".rej", path
            assert not CONFLICT.search(path.read_text(errors="replace")), path


@dataclass
class StackEdits:
    """What an owner of each stack typically changes, and how the stack checks its migrations."""

    settings_template: str  # the settings file in templates/<stack>/
    settings: str  # the same file in the project
    setting_before: str
    setting_after: str
    add_model: Callable[[Path], list[Path]]  # writes a model and its migration; returns the files
    migrations_check: str


def django_add_model(project: Path) -> list[Path]:
    models = project / SLUG / "items/models.py"
    models.write_text(
        models.read_text()
        + '''

class Tag(models.Model):
    """A label the owner added after generating the project."""

    name = models.CharField(max_length=50, unique=True)

    def __str__(self):
        return self.name
'''
    )
    run(["uv", "run", "python", "manage.py", "makemigrations", "items", "--name", "tag"], project)
    return [models, project / SLUG / "items/migrations/0002_tag.py"]


def fastapi_add_model(project: Path) -> list[Path]:
    models = project / SLUG / "items/models.py"
    models.write_text(
        models.read_text()
        + '''

class Tag(Base):
    """A label the owner added after generating the project."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
'''
    )
    versions = project / "migrations/versions"
    before = set(versions.glob("*.py"))
    run("uv run alembic upgrade head && uv run alembic revision --autogenerate -m tag", project)
    (migration,) = set(versions.glob("*.py")) - before
    run(["uv", "run", "ruff", "format", str(migration)], project)
    return [models, migration]


DJANGO = StackEdits(
    settings_template="config/settings.py.jinja",
    settings="config/settings.py",
    setting_before='TIME_ZONE = "UTC"',
    setting_after='TIME_ZONE = "Europe/Paris"',
    add_model=django_add_model,
    migrations_check="uv run python manage.py makemigrations --check --dry-run",
)
EDITS = {
    "drf": DJANGO,
    "hybrid": DJANGO,
    "fastapi": StackEdits(
        settings_template="{{ project_slug }}/core/settings.py",
        settings=f"{SLUG}/core/settings.py",
        setting_before="access_token_minutes: int = Field(default=15, gt=0)",
        setting_after="access_token_minutes: int = Field(default=10, gt=0)",
        add_model=fastapi_add_model,
        migrations_check="uv run alembic upgrade head && uv run alembic check",
    ),
}


def move_template_forward(template: Path, stack: str) -> None:
    """A synthetic next release: a changed README section for every stack, a changed settings
    file and ignore file, and a file that did not exist before."""
    replace_once(
        template / "templates/_shared/readme/update.md.jinja",
        "Run the\ntests, then commit.",
        "Run the\ntests, then commit. Release notes are in stackwise's CHANGELOG.md.",
    )
    gitignore = template / "templates/_shared/files/gitignore.jinja"
    gitignore.write_text(gitignore.read_text() + "\n# Logs\n*.log\n")
    source = "drf" if stack == "hybrid" else stack  # hybrid reuses drf's files
    settings = template / "templates" / source / EDITS[stack].settings_template
    settings.write_text(settings.read_text() + "\n# Added by the next release.\nRELEASED = True\n")
    (template / "templates" / stack / "docs/runbook.md").write_text("# Runbook\n\nOn call: you.\n")
    commit_all(template, "next release")
    git(template, "tag", "v1.1.0")


@pytest.mark.slow
@pytest.mark.parametrize("stack", sorted(EDITS))
def test_an_update_keeps_the_owners_edits_and_the_tests_pass(tmp_path, stack):
    edits = EDITS[stack]
    template = snapshot_template(tmp_path / "template")
    git(template, "tag", "v1.0.0")
    project = generate_committed(template, tmp_path / "project", stack, "v1.0.0")
    run(["uv", "sync"], project)

    # The owner's edits: a new file, a changed setting, a new model with its migration, an
    # edited README section and a new dependency.
    (project / "docs/notes.md").write_text("# Our notes\n")
    settings = project / edits.settings
    replace_once(settings, edits.setting_before, edits.setting_after)
    model_files = edits.add_model(project)
    readme = project / "README.md"
    replace_once(
        readme, "## Tests and checks\n", "## Tests and checks\n\nRun them before a push.\n"
    )
    run(["uv", "add", "--no-sync", "python-dateutil~=2.9"], project)
    commit_all(project, "our edits")
    ours = {path: path.read_bytes() for path in [*model_files, project / "docs/notes.md"]}

    move_template_forward(template, stack)
    copier.run_update(str(project), defaults=True, overwrite=True, quiet=True, conflict="rej")

    assert_no_conflicts(project)
    for path, content in ours.items():
        assert path.read_bytes() == content, path
    assert edits.setting_after in settings.read_text()
    assert "RELEASED = True" in settings.read_text()
    text = readme.read_text()
    assert "Run them before a push." in text and "Release notes are in stackwise's" in text
    assert "python-dateutil" in (project / "pyproject.toml").read_text()
    assert "*.log" in (project / ".gitignore").read_text()
    assert (project / "docs/runbook.md").is_file()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.1.0"

    run(["uv", "sync"], project)
    run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project)
    run(edits.migrations_check, project)


def test_a_clash_is_marked_and_neither_side_is_dropped(tmp_path):
    template = snapshot_template(tmp_path / "template")
    git(template, "tag", "v1.0.0")
    project = generate_committed(template, tmp_path / "project", "drf", "v1.0.0")
    readme = project / "README.md"
    original = "Do not edit `.copier-answers.yml` by hand."
    replace_once(readme, original, "Never touch `.copier-answers.yml`: copier owns it.")
    commit_all(project, "our wording")

    replace_once(
        template / "templates/_shared/readme/update.md.jinja",
        original,
        "Leave `.copier-answers.yml` to copier.",
    )
    commit_all(template, "new wording")
    git(template, "tag", "v1.1.0")
    copier.run_update(str(project), defaults=True, overwrite=True, quiet=True)

    text = readme.read_text()
    assert CONFLICT.search(text)
    assert "Never touch `.copier-answers.yml`: copier owns it." in text
    assert "Leave `.copier-answers.yml` to copier." in text


def release_commits() -> list[tuple[str, str]]:
    """(commit, version) of each `release: vX.Y.Z` commit reachable from HEAD, newest first.
    Tags may not travel with a clone, so releases are found by their commit subject."""
    log = subprocess.run(
        ["git", "log", "--format=%H %s", "HEAD"], cwd=TEMPLATE, capture_output=True, text=True
    ).stdout
    return re.findall(r"^([0-9a-f]{40}) release: (v\d+\.\d+\.\d+)$", log, re.MULTILINE)


@pytest.mark.slow
@pytest.mark.parametrize("stack", ["drf", "fastapi", "hybrid"])
def test_an_update_from_the_newest_real_release_to_this_tree(tmp_path, stack):
    releases = release_commits()
    if not releases:
        pytest.skip("no `release: vX.Y.Z` commit in this clone's history to update from")
    commit, version = releases[0]
    project = generate_committed(TEMPLATE, tmp_path / "project", stack, commit)
    copier.run_update(
        str(project), defaults=True, overwrite=True, quiet=True, vcs_ref="HEAD", conflict="rej"
    )
    assert_no_conflicts(project)
    run(["uv", "sync"], project)
    run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project)
