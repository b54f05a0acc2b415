"""The interview as a founder meets it: through the prompts and through --data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pexpect
import pytest
import yaml
from harness import TEMPLATE

COPIER = str(Path(sys.executable).with_name("copier"))
DOWN = "\x1b[B"


def copier_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([COPIER, *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("project_name", "  ", "must not be empty"),
        ("project_slug", "Acme-1", "not a valid project slug"),
        ("project_slug", "1acme", "not a valid project slug"),
        ("project_slug", "class", "is a Python keyword"),
        ("project_slug", "site", "would shadow the standard-library module 'site'"),
        ("project_slug", "test", "would shadow 'test'"),
        ("project_slug", "django", "would shadow 'django'"),
        ("project_slug", "fastapi", "would shadow 'fastapi'"),
        ("project_slug", "config", "would shadow 'config'"),
        ("author_email", "founder-at-acme", "not an email address"),
        ("author_email", "founder@acme", "not an email address"),
        ("workload", "batch", "'batch' is not in ['crud', 'realtime', 'mixed']"),
        ("stack", "rails", "'rails' is not in ['drf', 'fastapi', 'hybrid']"),
    ],
)
def test_a_bad_answer_given_as_data_is_refused_and_nothing_is_written(
    tmp_path, key, value, message
):
    dst = tmp_path / "project"
    data = {"project_name": "Acme", key: value}
    args = [arg for k, v in data.items() for arg in ("--data", f"{k}={v}")]
    result = copier_cli("copy", "--defaults", "--vcs-ref", "HEAD", *args, str(TEMPLATE), str(dst))
    assert result.returncode != 0
    assert f"'{key}'" in result.stderr and message in result.stderr, result.stderr[-2000:]
    assert not dst.exists()


@pytest.fixture(scope="module")
def validators():
    """validate.jinja in the environment copier gives it (with its regex filters)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
    )
    return env.get_template("templates/_shared/validate.jinja").module


def test_no_standard_library_module_can_be_the_slug(validators):
    names = [name for name in sys.stdlib_module_names if not name.startswith("_")]
    accepted = [name for name in names if not str(validators.slug_error(name))]
    # cProfile is refused as "not a lowercase identifier", which also keeps it out.
    assert accepted == []


@pytest.mark.parametrize("slug", ["acme", "acme_analytics", "zebra2", "my_saas"])
def test_good_slugs_pass(validators, slug):
    assert str(validators.slug_error(slug)) == ""


class Interview:
    """Drives `copier copy` through its prompts as a person at a terminal would."""

    def __init__(self, dst: Path):
        self.child = pexpect.spawn(
            COPIER,
            ["copy", "--vcs-ref", "HEAD", str(TEMPLATE), str(dst)],
            dimensions=(60, 220),
            encoding="utf-8",
            timeout=30,
            # pexpect answers no cursor-position queries; without this each prompt waits 1 s.
            env={**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1"},
        )

    def answer(self, prompt: str, keys: str) -> None:
        self.child.expect(prompt)
        self.child.send(keys)

    def expect(self, text: str) -> None:
        self.child.expect_exact(text)

    def finish(self) -> str:
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert self.child.exitstatus == 0, self.child.before
        return self.child.before


def choose(index: int) -> str:
    """Keys that pick the index-th choice of a select prompt."""
    return DOWN * index + "\r"


# The article's scenarios as a founder answers them: choice positions in copier.yml's order.
SCENARIOS = {
    # priority, workload, back office, team, architecture -> the reason shown first
    "drf": ((0, 0, "y", 0, 0), "Standard CRUD on business data"),
    "fastapi": ((1, 1, "n", 1, 1), "High-volume I/O"),
    "hybrid": ((2, 2, "y", 2, 0), "A rich product core is fastest to build on DRF"),
}


@pytest.mark.parametrize("stack", SCENARIOS)
def test_the_interview_recommends_a_stack_with_its_reasons_and_the_founder_accepts(tmp_path, stack):
    (priority, workload, back_office, team, architecture), first_reason = SCENARIOS[stack]
    dst = tmp_path / "project"
    interview = Interview(dst)
    interview.answer("Project name", "Acme Ingest\r")
    interview.answer("Python package name", "\r")  # accept the derived slug
    interview.answer("One line", "\r")
    interview.answer("Author", "\r")
    interview.answer("Author email", "\r")
    interview.answer("What comes first", choose(priority))
    interview.answer("What does the backend", choose(workload))
    interview.answer("back office", back_office)
    interview.answer("background", choose(team))
    interview.answer("How does the team", choose(architecture))
    interview.expect(f"Recommended: {stack}, because:")
    interview.expect(first_reason)
    interview.expect(f"{stack}: ")
    interview.expect("(recommended)")
    interview.child.send("\r")  # accept the default, the recommendation
    closing = interview.finish()
    assert "git init" in closing and "make dev" in closing and "uv run pytest" in closing

    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "acme_ingest"
    assert answers["stack"] == stack
    assert answers["back_office"] is (back_office == "y")
    adr = (dst / "docs/decisions/0001-backend-stack.md").read_text()
    assert "This is the stack stackwise recommended" in adr


def test_the_prompt_explains_a_bad_answer_and_the_founder_can_override_the_recommendation(
    tmp_path,
):
    dst = tmp_path / "override"
    interview = Interview(dst)
    interview.answer("Project name", "\r")
    interview.expect("must not be empty")
    interview.child.send("Acme Shop\r")
    interview.answer("Python package name", "\x7f" * 20 + "django\r")
    interview.expect("would shadow 'django'")
    interview.child.send("\x7f" * 6 + "shop\r")
    interview.answer("One line", "\r")
    interview.answer("Author", "\r")
    interview.answer("Author email", "\x7f" * 40 + "founder@\r")
    interview.expect("not an email address")
    interview.child.send("acme.test\r")
    for prompt in ("What comes first", "What does the backend", "back office", "background"):
        interview.answer(prompt, "y" if prompt == "back office" else "\r")
    interview.answer("How does the team", "\r")
    interview.expect("Recommended: drf, because:")
    interview.expect("drf: Django REST Framework monolith (recommended)")
    interview.child.send(DOWN + DOWN + "\r")  # hybrid instead
    interview.finish()

    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert (answers["project_slug"], answers["author_email"], answers["stack"]) == (
        "shop",
        "founder@acme.test",
        "hybrid",
    )
    adr = (dst / "docs/decisions/0001-backend-stack.md").read_text()
    assert "overrides stackwise's recommendation, **drf**" in adr
