"""stackwise's own GitHub workflow splits the suite into parallel jobs; together they must run
every test that `bash .ci/run` runs, each exactly once."""

from __future__ import annotations

import shlex
import subprocess
import sys

import yaml
from harness import TEMPLATE


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
