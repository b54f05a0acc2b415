"""Every stack's production server on PostgreSQL, fuzzed with schemathesis against its own OpenAPI
schema as the project's `make fuzz` does it (the project's tests/fuzz.py gives the options: every
check, the stateful phase, a fixed seed, a bounded number of examples, an authenticated user).
The servers are the session's (conftest's `production`): the fuzzer's user and what it creates
are its own, so the other modules' walks on the same servers are unaffected."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from harness import postgres_available, project_env

pytestmark = pytest.mark.slow

# The schemathesis of this suite, which the project's own pins (dev dependencies) agree with.
SCHEMATHESIS = str(Path(sys.executable).with_name("st"))


@pytest.fixture(scope="module", autouse=True)
def require_postgres() -> None:
    if not postgres_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: psql or the server is missing")


def project_fuzz(project: Path) -> ModuleType:
    """The project's tests/fuzz.py (what `make fuzz` runs), imported without running it."""
    spec = importlib.util.spec_from_file_location(f"fuzz_{project.name}", project / "tests/fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def findings(fuzz: ModuleType, base: str, token: str, cwd: Path) -> str:
    """Schemathesis' report on the API at base when it found anything, else "". It keeps what
    it found in cwd/.schemathesis."""
    command = [SCHEMATHESIS, *fuzz.command(base, token)[1:]]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    tested = re.search(r"Tested: (\d+)", output)
    assert tested and int(tested.group(1)) > 0, f"schemathesis tested nothing on {base}:\n{output}"
    return output if result.returncode else ""


def assert_none(**reports: str) -> None:
    """Fail with schemathesis' own reports, as it prints them (no Python traceback around)."""
    found = {name: report for name, report in reports.items() if report}
    if found:
        text = "\n\n".join(f"===== {name} =====\n{report}" for name, report in found.items())
        pytest.fail(f"schemathesis found failures on {', '.join(found)}:\n{text}", pytrace=False)


def test_drf(production, tmp_path):
    live = production("drf")
    fuzz = project_fuzz(live.project)
    assert_none(drf=findings(fuzz, live.base, fuzz.access_token(live.base), tmp_path))


def test_fastapi(production, tmp_path):
    live = production("fastapi")
    fuzz = project_fuzz(live.project)
    assert_none(fastapi=findings(fuzz, live.base, fuzz.access_token(live.base), tmp_path))


def test_hybrid(production, tmp_path):
    live = production("hybrid")
    fuzz = project_fuzz(live.project)
    token = fuzz.access_token(live.base)  # the core's token: the service accepts it
    core_report, service_report = (
        findings(fuzz, live.base, token, tmp_path),
        findings(fuzz, live.service, token, tmp_path),
    )
    assert_none(hybrid_core=core_report, hybrid_realtime=service_report)


@pytest.mark.parametrize("stack", ["fastapi", "hybrid"])
def test_make_fuzz_runs_in_a_generated_project(installed, stack):
    """`make fuzz` as the README says: it serves the app itself, fuzzes every operation of every
    schema, and passes only when schemathesis finds nothing. The tests above fuzz each stack in
    depth; here a few examples per operation prove the command (FUZZ_EXAMPLES, as documented)."""
    project = installed(stack)
    result = subprocess.run(
        ["make", "fuzz"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        env=project_env(FUZZ_EXAMPLES="3"),
    )
    output = result.stdout + result.stderr
    tested = [int(n) for n in re.findall(r"Tested: (\d+)", output)]
    assert len(tested) == (2 if stack == "hybrid" else 1) and all(tested), output
    if result.returncode:
        pytest.fail(f"make fuzz found failures:\n{output}", pytrace=False)
