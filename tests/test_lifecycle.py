"""Living projects: a project generated from an earlier release takes the newest one with
`copier update`, keeps its owner's edits, and still passes its own tests."""

from __future__ import annotations

import difflib
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import copier
import hybrid_stubs
import pytest
import yaml
from harness import (
    TEMPLATE,
    commit_all,
    generate_committed,
    git,
    project_env,
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
    """What an owner of each stack typically changes, what a release changes right next to it,
    and how the stack checks its migrations."""

    settings_template: str  # the settings file in templates/<stack>/
    settings: str  # the same file in the project
    setting_before: str
    setting_after: str
    users_template: str  # the users model in templates/<stack>/
    users: str  # the same file in the project
    users_anchor: str  # the line after which both the owner and the release add a field
    owner_field: str
    release_field: str
    customise: Callable[[Path, StackEdits], list[Path]]  # the owner's models and migrations
    release_migration: tuple[str, str]  # (path in templates/<stack>/, content)
    last_dependency: tuple[str, str]  # the release moves this pin, next to the owner's new one


def new_files(folder: Path, before: set[Path]) -> list[Path]:
    return sorted(set(folder.glob("*.py")) - before)


def add_owner_models(project: Path, edits: StackEdits, tag_model: str) -> Path:
    """A model of the owner's own, and a field in the template's `users` app."""
    models = project / SLUG / "items/models.py"
    models.write_text(models.read_text() + tag_model)
    replace_once(project / edits.users, edits.users_anchor, edits.users_anchor + edits.owner_field)
    return models


def django_customise(project: Path, edits: StackEdits) -> list[Path]:
    models = add_owner_models(project, edits, DJANGO_TAG)
    folders = [project / SLUG / app / "migrations" for app in ("items", "users")]
    before = {path for folder in folders for path in folder.glob("*.py")}
    run(["uv", "run", "python", "manage.py", "makemigrations"], project)
    written = [path for folder in folders for path in new_files(folder, before)]
    assert len(written) == 2, written
    return [models, project / edits.users, *written]


OWNER_REVISION = "uv run alembic upgrade head && uv run alembic revision --autogenerate -m ours"


def fastapi_customise(project: Path, edits: StackEdits) -> list[Path]:
    models = add_owner_models(project, edits, SQLALCHEMY_TAG)
    versions = project / "migrations/versions"
    before = set(versions.glob("*.py"))
    run(OWNER_REVISION, project)
    (migration,) = new_files(versions, before)
    return [models, project / edits.users, migration]


DJANGO_TAG = '''

class Tag(models.Model):
    """A label the owner added after generating the project."""

    name = models.CharField(max_length=50, unique=True)

    def __str__(self):
        return self.name
'''

SQLALCHEMY_TAG = '''

class Tag(Base):
    """A label the owner added after generating the project."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
'''

DJANGO_RELEASE_MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("users", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="time_zone",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
"""


def newest_alembic_revision() -> str:
    """The fastapi stack's last revision: the synthetic release's migration follows it."""
    versions = TEMPLATE / "templates/fastapi/migrations/versions"
    return max(path.name.split("_", 1)[0] for path in versions.glob("[0-9]*_*.py"))


NEWEST_REVISION = newest_alembic_revision()
RELEASE_REVISION = f"{int(NEWEST_REVISION) + 1:04d}"
ALEMBIC_RELEASE_MIGRATION = '''"""Users get a time zone.

Revision ID: RELEASE_REVISION
Revises: NEWEST_REVISION
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "RELEASE_REVISION"
down_revision: str | None = "NEWEST_REVISION"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("time_zone", sa.String(length=64), server_default="", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("users", "time_zone")
'''.replace("RELEASE_REVISION", RELEASE_REVISION).replace("NEWEST_REVISION", NEWEST_REVISION)

DJANGO = StackEdits(
    settings_template="config/settings.py.jinja",
    settings="config/settings.py",
    setting_before='TIME_ZONE = "UTC"',
    setting_after='TIME_ZONE = "Europe/Paris"',
    users_template="{{project_slug}}/users/models.py",
    users=f"{SLUG}/users/models.py",
    users_anchor="    full_name = models.CharField(max_length=150, blank=True)\n",
    owner_field="    nickname = models.CharField(max_length=50, blank=True)\n",
    release_field='    time_zone = models.CharField(max_length=64, blank=True, default="")\n',
    customise=django_customise,
    release_migration=(
        "{{project_slug}}/users/migrations/0002_user_time_zone.py",
        DJANGO_RELEASE_MIGRATION,
    ),
    last_dependency=('    "redis~=5.2.1",\n', '    "redis>=5.2.1,<6",\n'),
)
EDITS = {
    "drf": DJANGO,
    "hybrid": DJANGO,
    "fastapi": StackEdits(
        settings_template="{{ project_slug }}/core/settings.py",
        settings=f"{SLUG}/core/settings.py",
        setting_before="access_token_minutes: int = Field(default=15, gt=0)",
        setting_after="access_token_minutes: int = Field(default=10, gt=0)",
        users_template="{{ project_slug }}/auth/models.py",
        users=f"{SLUG}/auth/models.py",
        users_anchor='    full_name: Mapped[str] = mapped_column(String(150), default="")\n',
        owner_field=(
            '    nickname: Mapped[str] = mapped_column(String(50), default="", server_default="")\n'
        ),
        release_field=(
            "    time_zone: Mapped[str] = "
            'mapped_column(String(64), default="", server_default="")\n'
        ),
        customise=fastapi_customise,
        release_migration=(
            f"migrations/versions/{RELEASE_REVISION}_user_time_zone.py",
            ALEMBIC_RELEASE_MIGRATION,
        ),
        last_dependency=(
            '    "uvicorn[standard]~=0.54.0",\n',
            '    "uvicorn[standard]>=0.54.0,<0.55",\n',
        ),
    ),
}
# How each stack's update leaves its conflicts: both of copier's modes are covered, and Django's
# migration fork in both.
CONFLICT_MODE = {"drf": "inline", "fastapi": "rej", "hybrid": "rej"}


def move_template_forward(template: Path, stack: str) -> None:
    """A synthetic next release: a changed README section for every stack, a changed settings
    file and ignore file, a file that did not exist before, a field and its migration in the
    template's `users` app and a moved dependency pin, both right next to the owner's edits."""
    edits = EDITS[stack]
    replace_once(
        template / "templates/_shared/readme/update.md.jinja",
        "Do not edit `.copier-answers.yml` by hand.",
        "Do not edit `.copier-answers.yml` by hand. Release notes are in stackwise's CHANGELOG.md.",
    )
    gitignore = template / "templates/_shared/files/gitignore.jinja"
    gitignore.write_text(gitignore.read_text() + "\n# Logs\n*.log\n")
    source = template / "templates" / ("drf" if stack == "hybrid" else stack)  # hybrid reuses drf
    settings = source / edits.settings_template
    released = "\n\n# Added by the next release.\nRELEASED = True\n"
    settings.write_text(settings.read_text() + released)
    (template / "templates" / stack / "docs/runbook.md").write_text("# Runbook\n\nOn call: you.\n")
    replace_once(
        source / edits.users_template, edits.users_anchor, edits.users_anchor + edits.release_field
    )
    replace_once(source / "pyproject.toml.jinja", *edits.last_dependency)
    path, content = edits.release_migration
    (source / path).write_text(content)
    hybrid_stubs.write(template)  # as a contributor does after adding a drf file
    commit_all(template, "next release")
    git(template, "tag", "v1.1.0")


MARKED = re.compile(
    r"^<<<<<<< before updating\n(.*?)^=======\n(.*?)^>>>>>>> after updating\n", re.S | re.M
)


def merge_inline(project: Path, mine: set[str]) -> None:
    """What the README tells an owner: in each marked block keep the release's lines (after
    `=======`), put back the lines you wrote (before it), drop the markers, `git add` the file."""

    def keep_both(block: re.Match) -> str:
        ours = [line for line in block[1].splitlines(True) if line.strip() in mine]
        return block[2] + "".join(ours)

    for name in git(project, "diff", "--name-only", "--diff-filter=U").split():
        path = project / name
        path.write_text(MARKED.sub(keep_both, path.read_text()))
        git(project, "add", name)


def merge_rejects(project: Path, mine: set[str]) -> None:
    """What the README tells an owner: the file holds the release's version; each `+` line in
    the `.rej` next to it is one of yours that did not apply: write it back after the line it
    followed (or what the release made of that line), then delete the `.rej`."""
    for rej in rejects(project):
        target = rej.with_suffix("")
        lines = target.read_text().splitlines(True)
        for hunk in re.split(r"^@@.*\n", rej.read_text(), flags=re.M)[1:]:
            before: list[str] = []  # the hunk's lines up to here, as the owner's file had them
            for line in hunk.splitlines(True):
                if line.startswith("+") and line[1:].strip() in mine:
                    anchor = next(kept for kept in reversed(before) if kept.strip())
                    if lines.count(anchor) != 1:  # the release changed that line too
                        (anchor,) = difflib.get_close_matches(anchor, lines, n=1)
                    lines.insert(lines.index(anchor) + 1, line[1:])
                    before.append(line[1:])
                elif line.startswith((" ", "-")):
                    before.append(line[1:])
        target.write_text("".join(lines))
        rej.unlink()


def rejects(project: Path) -> list[Path]:
    return [path for path in project.rglob("*.rej") if ".venv" not in path.parts]


@pytest.mark.slow
@pytest.mark.parametrize("stack", sorted(EDITS))
def test_an_update_keeps_the_owners_edits_and_after_update_makes_it_green(tmp_path, stack):
    edits, mode = EDITS[stack], CONFLICT_MODE[stack]
    template = snapshot_template(tmp_path / "template")
    git(template, "tag", "v1.0.0")
    project = generate_committed(template, tmp_path / "project", stack, "v1.0.0")
    run(["uv", "sync"], project)

    # The owner's edits: a new file, a changed setting, a model of their own and a field in the
    # `users` app with their migrations, an edited README section and a new dependency.
    (project / "docs/notes.md").write_text("# Our notes\n")
    settings = project / edits.settings
    replace_once(settings, edits.setting_before, edits.setting_after)
    owned = edits.customise(project, edits)
    migrations = {path: path.read_bytes() for path in owned if "migrations" in path.parts}
    readme = project / "README.md"
    replace_once(
        readme, "## Tests and checks\n", "## Tests and checks\n\nRun them before a push.\n"
    )
    run(["uv", "add", "--no-sync", "python-dateutil~=2.9"], project)
    commit_all(project, "our edits")
    mine = {edits.owner_field.strip(), '"python-dateutil~=2.9",'}
    lock = (project / "uv.lock").read_bytes()

    move_template_forward(template, stack)
    copier.run_update(str(project), defaults=True, overwrite=True, quiet=True, conflict=mode)

    # While conflicts are left, `make after-update` refuses on one line and changes nothing.
    refused = subprocess.run(
        ["make", "after-update"], cwd=project, env=project_env(), capture_output=True, text=True
    )
    assert refused.returncode != 0
    (line,) = [line for line in refused.stderr.splitlines() if "make after-update:" in line]
    assert edits.users in line and "pyproject.toml" in line
    assert (project / "uv.lock").read_bytes() == lock

    (merge_inline if mode == "inline" else merge_rejects)(project, mine)
    assert_no_conflicts(project)
    run(["make", "after-update"], project)  # relock, merge the migration fork, check, lint, test

    users = (project / edits.users).read_text()
    assert edits.owner_field in users and edits.release_field in users
    for path, content in migrations.items():
        assert path.read_bytes() == content, path
    assert (project / "docs/notes.md").read_text() == "# Our notes\n"
    assert edits.setting_after in settings.read_text()
    assert "RELEASED = True" in settings.read_text()
    text = readme.read_text()
    assert "Run them before a push." in text and "Release notes are in stackwise's" in text
    pyproject = (project / "pyproject.toml").read_text()
    assert "python-dateutil~=2.9" in pyproject and edits.last_dependency[1] in pyproject
    assert "*.log" in (project / ".gitignore").read_text()
    assert (project / "docs/runbook.md").is_file()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.1.0"


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


def newest_release_behind_this_tree() -> tuple[str, str] | None:
    """The newest release whose template differs from this work tree: right after a release
    commit, the one before it, so what owners of that release will get is always tested."""
    for commit, version in release_commits():
        differs = subprocess.run(
            ["git", "diff", "--quiet", commit, "--", "templates", "copier.yml"], cwd=TEMPLATE
        ).returncode
        if differs:
            return commit, version
    return None


@pytest.mark.slow
@pytest.mark.parametrize("stack", ["drf", "fastapi", "hybrid"])
def test_an_update_from_the_newest_real_release_to_this_tree(tmp_path, stack):
    release = newest_release_behind_this_tree()
    if release is None:
        pytest.skip("no `release: vX.Y.Z` commit with another template in this clone's history")
    commit, version = release
    project = generate_committed(TEMPLATE, tmp_path / "project", stack, commit)
    if stack == "fastapi":  # a revision of the owner's: this tree's new revisions fork from it
        models = project / SLUG / "items/models.py"
        models.write_text(models.read_text() + SQLALCHEMY_TAG)
        run(OWNER_REVISION, project)
        commit_all(project, "our model")
    copier.run_update(str(project), defaults=True, overwrite=True, quiet=True, vcs_ref="HEAD")
    assert_no_conflicts(project)
    run(["make", "after-update"], project)  # what the CHANGELOG tells every owner to run
