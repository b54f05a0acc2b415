"""Run the project's ruff on files a command wrote, so generated code passes `make lint`."""

import subprocess
import sys
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path


def lint_and_format(paths: Iterable[Path]) -> None:
    """ruff check --fix, then ruff format: the two halves of `make format`, on these files only.
    What ruff cannot fix is reported, never fatal: the files are written either way."""
    files = [str(path) for path in paths]
    if not files:
        return
    if find_spec("ruff") is None:  # installed without the dev dependencies
        sys.stderr.write("ruff is not installed: run `make format` before committing.\n")
        return
    for arguments in (["check", "--fix", "--exit-zero", "--quiet"], ["format", "--quiet"]):
        # ruff's report goes to stderr, so `makemigrations --scriptable` keeps a clean stdout.
        subprocess.run([sys.executable, "-m", "ruff", *arguments, *files], stdout=sys.stderr)
