"""`copier update` brings a template change into a project and leaves an unchanged one alone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import copier
import pexpect
import pytest
import yaml
from copier.errors import UserMessageError
from harness import (
    DEFAULT_ANSWERS,
    commit_all,
    generate_committed,
    git,
    project_env,
    snapshot_template,
)

STACKS = ["drf", "fastapi", "hybrid"]


@pytest.fixture(scope="module")
def template_v1(tmp_path_factory):
    template = snapshot_template(tmp_path_factory.mktemp("template"))
    git(template, "tag", "v1.0.0")
    return template


@pytest.mark.parametrize("stack", STACKS)
def test_updating_an_unchanged_project_changes_nothing(template_v1, tmp_path, stack):
    project = generate_committed(template_v1, tmp_path / "project", stack, "v1.0.0")
    copier.run_update(str(project), defaults=True, overwrite=True, vcs_ref="v1.0.0", quiet=True)
    assert git(project, "status", "--porcelain") == ""


def test_a_template_change_arrives_and_the_users_edit_stays(tmp_path):
    template = snapshot_template(tmp_path / "template")
    git(template, "tag", "v1.0.0")
    project = generate_committed(template, tmp_path / "project", "drf", "v1.0.0")

    # The user writes their own notes into the README and adds a file of their own.
    readme = project / "README.md"
    readme.write_text(
        readme.read_text().replace("\n## Quick start", "\nOur notes.\n\n## Quick start")
    )
    (project / "NOTES.md").write_text("ours\n")
    commit_all(project, "our edits")

    # The template moves forward: a new paragraph in the update section of every README.
    partial = template / "templates/_shared/readme/update.md.jinja"
    partial.write_text(partial.read_text() + "\nRelease notes live in CHANGELOG.md.\n")
    commit_all(template, "say where release notes live")
    git(template, "tag", "v1.1.0")

    copier.run_update(str(project), defaults=True, overwrite=True, quiet=True)

    text = readme.read_text()
    assert "Release notes live in CHANGELOG.md." in text
    assert "Our notes." in text
    assert (project / "NOTES.md").read_text() == "ours\n"
    assert not re.search(r"^(<<<<<<<|>>>>>>>) ", text, re.MULTILINE)
    assert not list(project.rglob("*.rej"))
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.1.0"


def tree_bytes(root):
    return {
        path.relative_to(root): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


@pytest.mark.parametrize(
    "old,new",
    [
        ("drf", "fastapi"),
        ("fastapi", "drf"),
        ("fastapi", "hybrid"),
        ("hybrid", "drf"),
        ("hybrid", "fastapi"),
    ],
)
def test_a_stack_switch_that_would_delete_files_is_refused_and_nothing_changes(
    template_v1, tmp_path, old, new
):
    project = generate_committed(template_v1, tmp_path / "project", old, "v1.0.0")
    (project / "ours.txt").write_text("an edit of our own\n")
    commit_all(project, "our edit")
    before = tree_bytes(project)

    with pytest.raises(UserMessageError) as refused:
        copier.run_update(
            str(project), data={"stack": new}, defaults=True, overwrite=True, quiet=True
        )

    message = str(refused.value)
    assert f"Switching this {old} project to {new} would delete" in message
    assert f"copier copy --data stack={new}" in message
    assert tree_bytes(project) == before
    assert git(project, "status", "--porcelain") == ""


def copier_cli(project, *args: str) -> subprocess.CompletedProcess:
    """`copier update` as an owner types it, with the copier this suite runs."""
    return subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", *args],
        cwd=project,
        env=project_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "stack,answer,refusal",
    [
        ("fastapi", "back_office=false", "Turning back_office off on this fastapi project would"),
        ("drf", "project_slug=acme", "Changing project_slug from acme_analytics to acme would"),
        ("fastapi", "stack=drf", "Switching this fastapi project to drf would delete"),
    ],
)
def test_an_answer_whose_change_deletes_files_is_refused_on_one_line(
    template_v1, tmp_path, stack, answer, refusal
):
    project = generate_committed(template_v1, tmp_path / "project", stack, "v1.0.0")
    owned = project / "acme_analytics" / ("admin.py" if stack == "fastapi" else "users/models.py")
    owned.write_text(owned.read_text() + "\n# The owner's own admin view.\n")
    commit_all(project, "our edit")
    before = tree_bytes(project)

    result = copier_cli(project, "--data", answer)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if refusal in line]
    assert "so stackwise refuses it" in line
    assert tree_bytes(project) == before
    assert git(project, "status", "--porcelain") == ""


def test_an_answer_changed_at_the_prompt_is_refused_once_the_questions_are_answered(
    template_v1, tmp_path
):
    # Copier validates no yes/no or choice at the prompt: the guard after the last question does.
    project = generate_committed(template_v1, tmp_path / "project", "fastapi", "v1.0.0")
    before = tree_bytes(project)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "copier", "update"],
        cwd=str(project),
        dimensions=(60, 220),
        encoding="utf-8",
        timeout=60,
        env={**project_env(), "PROMPT_TOOLKIT_NO_CPR": "1"},
    )
    for prompt, keys in [
        *[(prompt, "\r") for prompt in ("Project name", "Python package", "One line")],
        *[(prompt, "\r") for prompt in ("Author", "Author email", "comes first", "mostly do")],
        ("back office", "n"),
        *[(prompt, "\r") for prompt in ("background", "How does the team", "Backend stack")],
    ]:
        child.expect(prompt)
        child.send(keys)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "Turning back_office off on this fastapi project would delete" in child.before
    assert "Traceback" not in child.before
    assert tree_bytes(project) == before


def test_a_change_that_deletes_nothing_goes_through(template_v1, tmp_path):
    # On drf, back_office changes no file list: the update proceeds; the decision record stays.
    project = generate_committed(template_v1, tmp_path / "project", "drf", "v1.0.0")
    record = (project / "docs/decisions/0001-backend-stack.md").read_bytes()
    result = copier_cli(project, "--data", "back_office=false")
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["back_office"] is False
    assert (project / "docs/decisions/0001-backend-stack.md").read_bytes() == record


def test_growing_drf_into_hybrid_keeps_decision_0001_and_records_0002(template_v1, tmp_path):
    project = generate_committed(template_v1, tmp_path / "project", "drf", "v1.0.0")
    first = (project / "docs/decisions/0001-backend-stack.md").read_bytes()

    copier.run_update(
        str(project), data={"stack": "hybrid"}, defaults=True, overwrite=True, quiet=True
    )

    assert (project / "docs/decisions/0001-backend-stack.md").read_bytes() == first
    growth = (project / "docs/decisions/0002-grow-into-hybrid.md").read_text()
    assert "started on Django REST Framework (`drf`)" in growth
    assert "services/realtime/" in growth
    assert (project / "services/realtime").is_dir()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (answers["stack"], answers["initial_stack"]) == ("hybrid", "drf")

    # A later update (here: to the same release) leaves both records as they are.
    commit_all(project, "grown")
    copier.run_update(str(project), defaults=True, overwrite=True, quiet=True)
    assert git(project, "status", "--porcelain") == ""


def test_a_new_hybrid_project_has_one_decision(rendered):
    decisions = rendered("hybrid") / "docs/decisions"
    assert [path.name for path in decisions.iterdir()] == ["0001-backend-stack.md"]
    assert (
        (decisions / "0001-backend-stack.md").read_text().startswith("# 1. Backend stack: hybrid")
    )


def test_a_question_added_by_a_release_leaves_existing_projects_as_they_were(tmp_path):
    """The contributors' rule: a new question's default reproduces the old behaviour on update."""
    template = snapshot_template(tmp_path / "template")
    git(template, "tag", "v1.0.0")
    project = generate_committed(template, tmp_path / "project", "drf", "v1.0.0")
    before = tree_bytes(project)

    # The release adds a question: new projects get a changelog link in their README, existing
    # projects keep the README they had, following the rule in docs/contributing.md.
    with (template / "copier.yml").open("a") as config:
        config.write(
            """
changelog_link:
  type: bool
  help: Link stackwise's changelog from the README?
  default: >-
    {%- from 'templates/_shared/validate.jinja' import new_question_default -%}
    {{ new_question_default(_copier_conf, old=false, new=true) }}
"""
        )
    partial = template / "templates/_shared/readme/update.md.jinja"
    partial.write_text(
        partial.read_text() + "{% if changelog_link %}\nSee stackwise's CHANGELOG.md.\n{% endif %}"
    )
    commit_all(template, "ask whether to link the changelog")
    git(template, "tag", "v1.1.0")

    copier.run_update(str(project), defaults=True, overwrite=True, quiet=True)

    after = tree_bytes(project)
    answers = yaml.safe_load(after.pop(Path(".copier-answers.yml")).decode())
    before.pop(Path(".copier-answers.yml"))
    assert (answers["_commit"], answers["changelog_link"]) == ("v1.1.0", False)
    assert after == before

    fresh = render_from(template, tmp_path / "fresh")
    assert "See stackwise's CHANGELOG.md." in (fresh / "README.md").read_text()


def render_from(template, dst):
    copier.run_copy(
        str(template),
        str(dst),
        data={**DEFAULT_ANSWERS, "stack": "drf"},
        defaults=True,
        quiet=True,
    )
    return dst
