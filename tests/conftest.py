from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from browser import Chromium  # noqa: E402
from harness import DEFAULT_ANSWERS, TEMPLATE, run  # noqa: E402


def pytest_configure(config):
    # pytest-copie renders from --template (default "."): pin it so pytest runs from any folder.
    config.option.template = str(TEMPLATE)


@pytest.fixture(scope="session")
def rendered(copie_session):
    """render(stack, **answers) -> the project folder, rendered once per session per answers.
    With stack=None the stack is left to its default: the recommendation."""
    cache: dict[tuple, Path] = {}

    def render(stack: str | None, **answers) -> Path:
        key = (stack, tuple(sorted(answers.items())))
        if key not in cache:
            chosen = {"stack": stack} if stack else {}
            result = copie_session.copy(extra_answers={**DEFAULT_ANSWERS, **chosen, **answers})
            assert result.exit_code == 0, result.exception
            cache[key] = result.project_dir
        return cache[key]

    return render


@pytest.fixture(scope="session")
def installed(rendered):
    """installed(stack, **answers) -> a rendered project after `uv sync`, once per session."""
    synced: set[Path] = set()

    def install(stack: str, **answers) -> Path:
        project = rendered(stack, **answers)
        if project not in synced:
            run(["uv", "sync"], project)
            synced.add(project)
        return project

    return install


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session's page loads; the test skips when it is missing.
    Session-scoped, so it skips before any server starts for the test."""
    with Chromium() as chromium:
        yield chromium
