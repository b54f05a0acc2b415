"""stackwise's own GitHub workflow splits the suite into parallel jobs; together they must run
every test that `bash .ci/run` runs, each exactly once. A generated project's workflow audits its
dependencies with the project's own `make audit`, the command its README and `make help` give."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from harness import TEMPLATE, run

TESTS = Path(__file__).parent


def selection(select: str) -> tuple[str, str]:
    """A job's pytest arguments as (-k expression, -m expression): the only options its
    selections use (another one fails here, to be taught to ci_selections.py first)."""
    parser = argparse.ArgumentParser(exit_on_error=False, add_help=False)
    parser.add_argument("-k", default="")
    parser.add_argument("-m", default="")
    parsed, unknown = parser.parse_known_args(shlex.split(select))
    assert not unknown, f"a selection this test cannot apply: {unknown}"
    return parsed.k, parsed.m


def collected(selections: dict[str, tuple[str, str]], scratch: Path) -> dict[str, set[str]]:
    """The node ids of the whole suite ("everything") and of each selection, from one
    collection (tests/ci_selections.py applies the selections with pytest's own -k and -m)."""
    output = scratch / "selected.json"
    path = os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "PYTHONPATH": path,
        "STACKWISE_SELECTIONS": json.dumps(selections),
        "STACKWISE_SELECTED": str(output),
    }
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    subprocess.run(
        [*command, "-p", "ci_selections"],
        cwd=TEMPLATE,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {name: set(ids) for name, ids in json.loads(output.read_text()).items()}


def test_the_workflow_jobs_run_every_test_once(tmp_path):
    workflow = yaml.safe_load((TEMPLATE / ".github/workflows/ci.yml").read_text())
    jobs = workflow["jobs"]["test"]["strategy"]["matrix"]["include"]
    selections = collected({job["name"]: selection(job["select"]) for job in jobs}, tmp_path)
    everything = selections.pop("everything")

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
