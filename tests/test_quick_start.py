"""The README's quick start, followed word for word, leaves a project whose uv.lock is committed
and whose work tree stays clean after serving and testing it, so that CI's locked install works
and `copier update` finds a clean repository."""

from __future__ import annotations

import re

import copier
import pytest
import yaml
from harness import (
    DEFAULT_ANSWERS,
    GIT_IDENTITY,
    commit_all,
    free_port,
    git,
    run,
    server,
    snapshot_template,
)

pytestmark = pytest.mark.slow

SERVES = "make dev"  # runs until stopped: started on a free port, stopped once it answers


def quick_start(readme: str) -> list[str]:
    """The commands of the README's quick start block, without their comments."""
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    return [re.split(r"\s+#\s", line)[0].strip() for line in block.splitlines() if line.strip()]


def test_after_the_quick_start_copier_update_finds_a_clean_project(tmp_path):
    template = snapshot_template(tmp_path / "template")
    git(template, "tag", "v1.0.0")
    project = tmp_path / "project"
    copier.run_copy(
        str(template),
        str(project),
        data={**DEFAULT_ANSWERS, "stack": "drf"},
        defaults=True,
        vcs_ref="v1.0.0",
        quiet=True,
    )

    commands = quick_start((project / "README.md").read_text())
    assert "uv run pytest" in commands and SERVES in commands
    for command in commands:
        if command == SERVES:
            port = free_port()
            with server(f"{command} PORT={port}", project, f"http://127.0.0.1:{port}/health"):
                pass
        else:
            run(command, project, **GIT_IDENTITY)
    assert git(project, "status", "--porcelain") == ""
    run(["uv", "sync", "--locked"], project)  # the generated CI's and Dockerfile's install

    readme = template / "templates/_shared/readme/update.md.jinja"
    readme.write_text(readme.read_text() + "\nA line from the next release.\n")
    commit_all(template, "next release")
    git(template, "tag", "v1.1.0")
    copier.run_update(str(project), defaults=True, overwrite=True, quiet=True)

    assert "A line from the next release." in (project / "README.md").read_text()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.1.0"
