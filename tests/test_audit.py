"""`make audit` audits a project's locked dependencies with pip-audit against PyPI's advisory data:
it passes on every stack's lock as released, and the same pip-audit command fails on a
known-vulnerable pin. Where pip-audit cannot reach that data, the tests skip and say why (the audit
itself then fails: it runs with --strict), so they never pass without having audited."""

from __future__ import annotations

import shlex
import subprocess

import pytest
from harness import project_env, run

pytestmark = pytest.mark.slow

STACKS = ["drf", "fastapi", "hybrid"]

# requests 2.19.0 leaks the Authorization header on an HTTPS-to-HTTP redirect (CVE-2018-18074,
# PYSEC-2018-28; fixed in 2.20.0). With its wheel's hash, as uv's export writes every line, since
# pip-audit --disable-pip takes hashed requirements only.
VULNERABLE_PIN = (
    "requests==2.19.0 "
    "--hash=sha256:421cfc8d9dde7d6aff68196420afd86b88c65d77d8da9cf83f4ecad785d7b9d6\n"
)

# What pip-audit says when it could not fetch a package's advisories (--strict makes it an error).
UNREACHABLE = ("could not be audited", "requests.exceptions.", "ConnectionError")


def pip_audit_command(project) -> list[str]:
    """The pip-audit half of `make audit`'s pipeline, as make runs it (it reads /dev/stdin)."""
    recipe = run(["make", "--dry-run", "--no-print-directory", "audit"], project).stdout
    pipeline = recipe.replace("\\\n", " ")
    (line,) = [line for line in pipeline.splitlines() if "pip-audit" in line]
    export, audit = line.split(" | ")
    assert export.split()[:3] == ["uv", "export", "--frozen"]
    return shlex.split(audit)


@pytest.fixture(scope="module")
def vulnerable_pin_audit(rendered):
    """`make audit`'s pip-audit, run once on a known-vulnerable pin; skips the module's tests
    when pip-audit cannot reach PyPI's advisory data from this machine."""
    command = pip_audit_command(rendered("drf"))
    result = subprocess.run(
        command,
        input=VULNERABLE_PIN,
        env=project_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0 and any(marker in output for marker in UNREACHABLE):
        last = output.strip().splitlines()[-1]
        pytest.skip(
            f"pip-audit cannot reach PyPI's advisory data from here, so nothing was audited: {last}"
        )
    return result


def test_the_audit_fails_on_a_known_vulnerable_pin(vulnerable_pin_audit):
    result = vulnerable_pin_audit
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Found 1 known vulnerability in 1 package" in result.stderr
    (finding,) = [
        line.split() for line in result.stdout.splitlines() if line.startswith("requests ")
    ]
    assert finding[:2] == ["requests", "2.19.0"]
    assert finding[2].startswith(("PYSEC-", "GHSA-", "CVE-")), finding


@pytest.mark.parametrize("stack", STACKS)
def test_make_audit_passes_on_the_lock(vulnerable_pin_audit, installed, stack):
    result = run(["make", "audit"], installed(stack))
    assert "No known vulnerabilities found" in result.stdout + result.stderr
