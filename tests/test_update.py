"""`copier update` brings a template change into a project and leaves an unchanged one alone."""

from __future__ import annotations

import re

import copier
import pytest
import yaml
from harness import commit_all, generate_committed, git, snapshot_template

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

    with pytest.raises(ValueError) as refused:
        copier.run_update(
            str(project), data={"stack": new}, defaults=True, overwrite=True, quiet=True
        )

    message = str(refused.value)
    assert "'stack'" in message
    assert f"Switching this {old} project to {new} would delete" in message
    assert f"copier copy --data stack={new}" in message
    assert tree_bytes(project) == before
    assert git(project, "status", "--porcelain") == ""
