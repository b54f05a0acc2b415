"""stackwise's own GitHub workflow splits the suite into parallel jobs; together they must run
every test that `bash .ci/run` runs, each exactly once."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from harness import TEMPLATE

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
