"""The template renders the same project from a checkout without symlinks (Windows' default), and
templates/hybrid stays in step with the drf and fastapi files it shares."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import hybrid_stubs
import jinja2
import pytest
from harness import DEFAULT_ANSWERS, TEMPLATE, git, render, snapshot_template


def test_hybrid_shares_every_drf_file_through_an_up_to_date_stub():
    problems = hybrid_stubs.problems()
    assert not problems, (
        "templates/hybrid is out of step with the files it shares:\n  "
        + "\n  ".join(problems)
        + f"\nRun: {hybrid_stubs.COMMAND}"
    )


def test_no_symlink_is_committed_under_templates():
    entries = git(TEMPLATE, "ls-files", "-s", "templates").splitlines()
    symlinks = [line.split("\t", 1)[1] for line in entries if line.startswith("120000 ")]
    assert not symlinks, f"symlinks break checkouts without symlink support: {symlinks}"


def _make_template(root, files: dict[str, bytes]):
    """A template root with the given files and the fastapi modules the realtime service shares."""
    shared = {
        f"templates/fastapi/{name}": b"x = 1\n" for name in hybrid_stubs.FROM_FASTAPI.values()
    }
    for name, data in {**shared, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / "templates/hybrid").mkdir(parents=True, exist_ok=True)
    return root


def test_the_generator_shares_drf_files_hybrid_does_not_override(tmp_path):
    root = _make_template(
        tmp_path,
        {
            "templates/drf/manage.py": b"print('drf')\n",
            "templates/drf/README.md.jinja": b"# {{ project_name }}\n",
            "templates/hybrid/README.md.jinja": b"# hybrid's own\n",
        },
    )
    (root / "templates/drf/manage.py").chmod(0o755)
    hybrid_stubs.write(root)
    assert hybrid_stubs.problems(root) == []
    # Copier's Jinja environment: loader rooted at the template root, trailing newlines kept.
    jinja = jinja2.Environment(loader=jinja2.FileSystemLoader(root), keep_trailing_newline=True)
    hybrid = root / "templates/hybrid"
    rendered = {
        path.relative_to(hybrid).as_posix(): jinja.get_template(
            path.relative_to(root).as_posix()
        ).render(project_name="Acme")
        for path in hybrid.rglob("*.jinja")
    }
    assert rendered["manage.py.jinja"] == "print('drf')\n"
    assert rendered["README.md.jinja"] == "# hybrid's own\n"
    assert rendered["services/realtime/realtime/docs.py.jinja"] == "x = 1\n"
    assert (hybrid / "manage.py.jinja").stat().st_mode & stat.S_IXUSR

    (root / "templates/drf/manage.py").unlink()
    assert hybrid_stubs.problems(root) == [
        "extra stub (no source, or hybrid has its own file): templates/hybrid/manage.py.jinja"
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("templates/drf/static/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0", "binary"),
        ("templates/drf/notes.txt", b"literal {{ braces }}\n", "Jinja markers"),
    ],
)
def test_the_generator_refuses_files_an_include_would_change(tmp_path, name, data, reason):
    root = _make_template(tmp_path, {name: data})
    with pytest.raises(hybrid_stubs.SharedFileError, match=reason):
        hybrid_stubs.write(root)
    assert not any((root / "templates/hybrid").iterdir())


def _tree(project):
    """{relative path: (bytes, executable)} of every file copier wrote."""
    return {
        path.relative_to(project).as_posix(): (
            path.read_bytes(),
            os.access(path, os.X_OK),
        )
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


# What Git for Windows does by default: symlinks are checked out as files holding their target's
# path, and line endings as CRLF.
WINDOWS_GIT = {"core.symlinks": "false", "core.autocrlf": "true"}


@pytest.fixture(scope="module")
def windows_checkout(tmp_path_factory):
    snapshot = snapshot_template(tmp_path_factory.mktemp("snapshot"))
    checkout = tmp_path_factory.mktemp("windows") / "stackwise"
    settings = [arg for key, value in WINDOWS_GIT.items() for arg in ("-c", f"{key}={value}")]
    subprocess.run(["git", "clone", "-q", *settings, str(snapshot), str(checkout)], check=True)
    return checkout


@pytest.mark.parametrize("stack", ["drf", "fastapi", "hybrid"])
def test_a_windows_checkout_renders_the_same_project(windows_checkout, tmp_path, stack):
    expected = _tree(render(tmp_path / "from-tree", stack=stack))
    del expected[".copier-answers.yml"]  # names the template's path and commit

    # Copier clones the template again: give that clone the same settings, as a Windows user's
    # git configuration would.
    git_config = {"GIT_CONFIG_COUNT": str(len(WINDOWS_GIT))}
    for number, (key, value) in enumerate(WINDOWS_GIT.items()):
        git_config |= {f"GIT_CONFIG_KEY_{number}": key, f"GIT_CONFIG_VALUE_{number}": value}
    data = [f"--data={key}={value}" for key, value in {**DEFAULT_ANSWERS, "stack": stack}.items()]
    copy = ["copy", "--quiet", "--defaults", "--vcs-ref=HEAD", *data]
    subprocess.run(
        [sys.executable, "-m", "copier", *copy, str(windows_checkout), str(tmp_path / "project")],
        env={**os.environ, **git_config},
        check=True,
    )
    actual = _tree(tmp_path / "project")
    del actual[".copier-answers.yml"]

    assert sorted(actual) == sorted(expected)
    differ = [name for name in expected if actual[name] != expected[name]]
    assert not differ, f"rendered differently from a Windows checkout: {differ}"
    if stack != "fastapi":
        assert actual["manage.py"][1], "manage.py lost its executable bit"
