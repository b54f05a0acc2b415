"""stackwise's own GitHub workflow splits the suite into parallel jobs; together they must run
every test that `bash .ci/run` runs, each exactly once. A generated project's workflow audits its
dependencies with the project's own `make audit`, the command its README and `make help` give."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest
import yaml
from harness import TEMPLATE, run


def collected(*selection: str) -> set[str]:
    listing = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            *selection,
        ],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line for line in listing.splitlines() if "::" in line}


def test_the_workflow_jobs_run_every_test_once():
    workflow = yaml.safe_load((TEMPLATE / ".github/workflows/ci.yml").read_text())
    jobs = workflow["jobs"]["test"]["strategy"]["matrix"]["include"]
    selections = {job["name"]: collected(*shlex.split(job["select"])) for job in jobs}

    everything = collected()
    assert set().union(*selections.values()) == everything
    assert sum(map(len, selections.values())) == len(everything), "a test runs in two jobs"
    assert all(selections.values()), [name for name, tests in selections.items() if not tests]


@pytest.mark.parametrize("stack", ["drf", "fastapi", "hybrid"])
def test_a_projects_ci_audits_its_lock_as_make_audit_does(rendered, stack):
    project = rendered(stack)
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    audits = [
        (name, step)
        for name, job in workflow["jobs"].items()
        for step in job["steps"]
        if "audit" in step.get("run", "")
    ]
    assert [step["run"] for _, step in audits] == ["make audit"], audits
    # Its own job: a new advisory fails the audit without hiding the tests' result.
    assert audits[0][0] != "test"

    assert "make audit " in run(["make", "help"], project).stdout
    recipe = run(["make", "--dry-run", "audit"], project).stdout.replace("\\\n", " ")
    export, audit = recipe.splitlines()[-1].split(" | ")
    # Every group of every workspace package, as locked (the hybrid's service included) ...
    for option in ("--frozen", "--all-packages", "--all-groups", "--no-emit-workspace"):
        assert option in export.split(), option
    # ... through a pinned pip-audit that fails when it could not fetch a package's advisories.
    assert '--from "pip-audit~=' in audit and "--strict" in audit.split()
    assert recipe.splitlines()[0] == "uv lock --check"  # a stale lock fails, never audits nothing
