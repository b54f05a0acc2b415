"""The interview as a founder meets it: through the prompts and through --data.

The prompts are driven through a real pseudo-terminal 80 columns wide, and what copier draws is
read back from a terminal emulator (pyte): the tests read the screen the founder reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import jinja2.sandbox
import pexpect
import pyte
import pytest
import yaml
from harness import TEMPLATE

COPIER = str(Path(sys.executable).with_name("copier"))
DOWN = "\x1b[B"
COLUMNS, ROWS = 80, 40
COPIER_YML = yaml.safe_load((TEMPLATE / "copier.yml").read_text())
ANSWERS = ("priority", "workload", "back_office", "team", "architecture")


def copier_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([COPIER, *args], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def env():
    """A Jinja environment like copier's: sandboxed, with its regex filters, template-relative."""
    return jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(TEMPLATE),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
    )


@pytest.fixture(scope="module")
def validators(env):
    return env.get_template("templates/_shared/validate.jinja").module


@pytest.fixture(scope="module")
def decide(env):
    return env.get_template("templates/_shared/decide.jinja").module


@pytest.fixture(scope="module")
def refusal(env):
    """refusal(key, value) -> the line shown under a refused answer, worded as copier words it."""

    def refusal(key: str, value: str) -> str:
        message = env.from_string(COPIER_YML[key]["validator"]).render({key: value}).strip()
        return f"Validation error for question '{key}': {message}" if message else ""

    return refusal


# A bad answer per check, and words its message must hold.
BAD_TEXT_ANSWERS = [
    ("project_name", "  ", "must not be empty"),
    ("project_slug", "Acme-1", "use a-z, 0-9, _; start with a-z"),
    ("project_slug", "1acme", "use a-z, 0-9, _; start with a-z"),
    ("project_slug", "class", "is a Python keyword"),
    ("project_slug", "site", "shadows a standard-library module"),
    ("project_slug", "multiprocessing", "shadows a standard-library module"),
    ("project_slug", "test", "the generated code uses that name"),
    ("project_slug", "django", "the generated code uses that name"),
    ("project_slug", "fastapi", "the generated code uses that name"),
    ("project_slug", "config", "the generated code uses that name"),
    ("author_name", "", "must not be empty"),
    ("author_email", "founder-at-acme", "name@example.com"),
    ("author_email", "founder@acme", "name@example.com"),
]


@pytest.mark.parametrize(
    "key,value,message",
    [
        *[case for case in BAD_TEXT_ANSWERS if case[1] != "multiprocessing"],
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


@pytest.mark.parametrize("key,value,message", BAD_TEXT_ANSWERS)
def test_every_refusal_fits_the_one_line_under_the_prompt(refusal, key, value, message):
    """prompt_toolkit shows a refusal on a single line and cuts it at the terminal's edge."""
    line = refusal(key, value)
    assert message in line
    assert len(line) < COLUMNS, line


def test_after_an_update_the_owner_is_told_to_resolve_conflicts_then_run_after_update(env):
    message = env.from_string(COPIER_YML["_message_after_update"]).render(
        project_name="Acme Analytics"
    )
    assert all(len(line) < COLUMNS for line in message.splitlines()), message
    conflicts, after_update, commit = (
        message.index(s) for s in ("<<<<<<<", "make after-", "commit")
    )
    assert conflicts < after_update < commit
    assert ".rej" in message


def test_no_standard_library_module_can_be_the_slug(validators):
    names = [name for name in sys.stdlib_module_names if not name.startswith("_")]
    accepted = [name for name in names if not str(validators.slug_error(name))]
    # cProfile is refused as "not a lowercase identifier", which also keeps it out.
    assert accepted == []


@pytest.mark.parametrize("slug", ["acme", "acme_analytics", "zebra2", "my_saas"])
def test_good_slugs_pass(validators, slug):
    assert str(validators.slug_error(slug)) == ""


@pytest.mark.parametrize(
    "name,slug",
    [
        ("Acme Analytics", "acme_analytics"),
        ("Café Ünïcode", "cafe_unicode"),
        ("Straße 42", "strasse_42"),
        ("ŁÓDŹ Œuvre", "lodz_oeuvre"),
        ("Ærø Þing", "aero_thing"),
        ("İstanbul Çay", "istanbul_cay"),
        ("Nguyễn Phở", "nguyen_pho"),
        ("Cafe\u0301 decomposed", "cafe_decomposed"),
        ("123 Go", "app_123_go"),
        ("42", "app_42"),
        ("  --Acme--  ", "acme"),
        ("!!!", "my_app"),
        ("🚀 Rocket 🚀", "rocket"),
        ("🚀", "my_app"),
        ("東京", "my_app"),
        ("Москва", "my_app"),
        ("Django", "django_app"),
        ("Site", "site_app"),
        ("Class", "class_app"),
        ("Test", "test_app"),
    ],
)
def test_the_derived_slug_keeps_the_letters_and_always_passes_the_validator(
    env, validators, name, slug
):
    default = env.from_string(COPIER_YML["project_slug"]["default"]).render(project_name=name)
    assert default == slug
    assert str(validators.slug_error(default)) == ""


def test_every_accented_latin_letter_becomes_its_plain_letter(validators):
    """The transliteration table agrees with Unicode's own decompositions, letter by letter."""
    wrong = {}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        letter = chr(code)
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", letter.lower()) if c.isascii() and c.isalpha()
        )
        if not letter.isalpha() or not plain:
            continue
        if (got := str(validators.slug_from(f"x{letter}"))) != f"x{plain.lower()}":
            wrong[letter] = got
    assert wrong == {}


def test_the_decision_record_says_what_to_watch_out_for_with_the_chosen_stack(rendered, decide):
    # The answers of test_render's override case: a Django team that picks FastAPI anyway.
    answers = ("ship_fast", "crud", True, "django", "monolith")
    project = rendered("fastapi", **dict(zip(ANSWERS, answers, strict=True)))
    adr = (project / "docs/decisions/0001-backend-stack.md").read_text()
    consequences = adr.split("## Consequences", 1)[1].split("## ", 1)[0]
    caveat = str(decide.caveats("fastapi", *answers))
    assert caveat and f"- Watch out: {caveat}\n" in consequences


class Interview:
    """Drives `copier copy` through its prompts in an 80-column terminal, as a founder would, and
    keeps what the terminal shows: the screen and every line that scrolled off its top."""

    def __init__(self, cwd: Path, dst: str = "my-saas"):
        self.screen = pyte.HistoryScreen(COLUMNS, ROWS, history=10_000)
        self.stream = pyte.Stream(self.screen)
        self.child = pexpect.spawn(
            COPIER,
            ["copy", "--vcs-ref", "HEAD", str(TEMPLATE), dst],
            cwd=str(cwd),
            dimensions=(ROWS, COLUMNS),
            encoding="utf-8",
            timeout=30,
            env={
                **os.environ,
                # pexpect answers no cursor-position queries; without this each prompt waits 1 s.
                "PROMPT_TOOLKIT_NO_CPR": "1",
                # Only tests see DirtyLocalWarning (they copy the work tree): keep it off screen.
                "PYTHONWARNINGS": "ignore",
            },
        )
        self.child.logfile_read = self  # everything copier writes goes through the emulator

    def write(self, text: str) -> None:
        self.stream.feed(text)

    def flush(self) -> None:
        pass

    def answer(self, prompt: str, keys: str) -> None:
        self.child.expect(prompt)
        self.settle()
        self.child.send(keys)

    def expect(self, text: str) -> None:
        self.child.expect_exact(text)
        self.settle()

    def settle(self, quiet: float = 0.1) -> None:
        """Let the frame being drawn reach the screen: read until copier falls quiet."""
        while True:
            try:
                self.child.read_nonblocking(65536, timeout=quiet)
            except pexpect.TIMEOUT:
                return

    def finish(self) -> None:
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert self.child.exitstatus == 0, self.child.before

    def rows(self) -> list[list[str]]:
        """Every row the terminal showed so far, as cells (a wide character's second cell is '')."""
        lines = [*self.screen.history.top, *(self.screen.buffer[y] for y in range(ROWS))]
        return [[line[x].data for x in range(COLUMNS)] for line in lines]

    def text(self) -> str:
        return "\n".join("".join(cells).rstrip() for cells in self.rows())

    def assert_readable(self, *passages: str) -> None:
        """Each passage is on screen whole: not cut at the edge, no word split across rows."""
        shown = " ".join(self.text().split())
        for passage in passages:
            assert " ".join(passage.split()) in shown, f"unreadable: {passage!r}\n{self.text()}"

    def assert_nothing_reaches_the_edge(self) -> None:
        """A row that fills the last column was cut there, or wrapped by the terminal mid-word."""
        full = ["".join(cells) for cells in self.rows() if cells[-1].strip()]
        assert full == [], "\n".join(full)


def choose(index: int) -> str:
    """Keys that pick the index-th choice of a select prompt."""
    return DOWN * index + "\r"


def index_of(key: str, value) -> int:
    return list(COPIER_YML[key]["choices"].values()).index(value)


def give_founder_answers(interview: Interview, answers: dict) -> None:
    interview.answer("What comes first", choose(index_of("priority", answers["priority"])))
    interview.answer("What does the backend", choose(index_of("workload", answers["workload"])))
    interview.answer("back office", "y" if answers["back_office"] else "n")
    interview.answer("background", choose(index_of("team", answers["team"])))
    interview.answer("How does the team", choose(index_of("architecture", answers["architecture"])))


def recommendation_shown(interview: Interview, decide, answers: dict) -> str:
    """Waits for the stack prompt and checks it shows every reason and caveat in full."""
    values = [answers[key] for key in ANSWERS]
    stack = str(decide.recommend(*values))
    interview.expect(f"Recommended: {stack}, because:")
    reasons = str(decide.reasons(*values)).split("\n")
    caveats = [c for c in str(decide.caveats(stack, *values)).split("\n") if c]
    interview.assert_readable(*reasons, *(f"Watch out: {caveat}" for caveat in caveats))
    marked = [row for row in interview.text().split("\n") if row.endswith(" (recommended)")]
    assert marked and all(row.lstrip(" »").startswith(f"{stack}: ") for row in marked), marked
    return stack


def next_steps(interview: Interview) -> list[tuple[str, str]]:
    """The closing message's commands as (command, comment) in the order shown, and checks that
    every comment starts in the same column."""
    rows = interview.text().split("\n")
    start = next(i for i, row in enumerate(rows) if "is ready. Next steps:" in row) + 2
    steps, columns = [], set()
    for row in rows[start:]:
        if not row.strip():
            break
        command, _, comment = row.partition("# ")
        if comment:
            columns.add(len(command))
        if command.strip():
            steps.append((command.strip(), comment))
        else:  # a comment carried on to the next row
            steps[-1] = (steps[-1][0], f"{steps[-1][1]} {comment}")
    assert len(columns) == 1, f"comments do not line up:\n{chr(10).join(rows[start - 2 :])}"
    return steps


# The article's scenarios as a founder answers them (priority, workload, back office, team,
# architecture).
SCENARIOS = {
    "drf": ("ship_fast", "crud", True, "django", "monolith"),
    "fastapi": ("performance", "realtime", False, "async", "services"),
    "hybrid": ("both", "mixed", True, "mixed", "monolith"),
}


@pytest.mark.parametrize("stack", SCENARIOS)
def test_the_interview_recommends_a_stack_with_its_reasons_and_the_founder_accepts(
    tmp_path, decide, stack
):
    answers = dict(zip(ANSWERS, SCENARIOS[stack], strict=True))
    interview = Interview(tmp_path)
    interview.answer("Project name", "Acme Analytics\r")
    interview.answer("Python package name", "\r")  # accept the derived slug
    interview.answer("One line", "\r")
    interview.answer("Author", "\r")
    interview.answer("Author email", "\r")
    give_founder_answers(interview, answers)
    assert recommendation_shown(interview, decide, answers) == stack
    interview.child.send("\r")  # accept the default, the recommendation
    interview.finish()

    interview.assert_readable(COPIER_YML["_message_before_copy"])
    interview.assert_nothing_reaches_the_edge()
    steps = next_steps(interview)
    assert [command for command, _ in steps] == [
        "cd my-saas",
        "uv sync",
        "git init && git add -A",
        "git commit -m 'Start Acme Analytics from stackwise'",
        "make dev",
        "uv run pytest",
    ]
    serve = dict(steps)["make dev"]
    assert "http://127.0.0.1:8000" in serve
    assert ("realtime service on http://127.0.0.1:8001" in serve) is (stack == "hybrid")

    dst = tmp_path / "my-saas"
    saved = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert saved["project_slug"] == "acme_analytics"
    assert {key: saved[key] for key in ANSWERS} == answers
    assert saved["stack"] == stack
    adr = (dst / "docs/decisions/0001-backend-stack.md").read_text()
    assert "This is the stack stackwise recommended" in adr
    if stack == "hybrid":
        readme = (TEMPLATE / "README.md").read_text()
        shown = readme.split("named Acme Analytics:\n\n```sh\n", 1)[1].split("```", 1)[0]
        assert textwrap.indent(shown, "  ") in interview.text() + "\n"


def test_the_prompt_explains_a_bad_answer_and_the_founder_can_override_the_recommendation(
    tmp_path, decide, refusal
):
    # A Django team with a real-time workload and no back office: FastAPI, with a caveat.
    answers = dict(
        zip(ANSWERS, ("ship_fast", "realtime", False, "django", "monolith"), strict=True)
    )
    interview = Interview(tmp_path, "shop")
    interview.answer("Project name", "\r")
    interview.expect(refusal("project_name", ""))
    interview.assert_readable(refusal("project_name", ""))
    interview.child.send("Café Über\r")
    interview.expect("cafe_uber")  # the derived slug, offered as the default
    interview.child.send("\x7f" * 9 + "django\r")
    interview.expect(refusal("project_slug", "django"))
    interview.assert_readable(refusal("project_slug", "django"))
    interview.assert_nothing_reaches_the_edge()
    interview.child.send("\x7f" * 6 + "shop\r")
    interview.answer("One line", "\r")
    interview.answer("Author", "\r")
    interview.answer("Author email", "\x7f" * 40 + "founder@\r")
    interview.expect(refusal("author_email", "founder@"))
    interview.assert_readable(refusal("author_email", "founder@"))
    interview.assert_nothing_reaches_the_edge()
    interview.child.send("acme.test\r")
    give_founder_answers(interview, answers)
    assert recommendation_shown(interview, decide, answers) == "fastapi"
    assert "Watch out: " in interview.text()
    interview.assert_nothing_reaches_the_edge()
    interview.child.send(DOWN + "\r")  # hybrid instead
    interview.finish()
    interview.assert_nothing_reaches_the_edge()

    saved = yaml.safe_load((tmp_path / "shop/.copier-answers.yml").read_text())
    assert (saved["project_slug"], saved["author_email"], saved["stack"]) == (
        "shop",
        "founder@acme.test",
        "hybrid",
    )
    adr = (tmp_path / "shop/docs/decisions/0001-backend-stack.md").read_text()
    assert "overrides stackwise's recommendation, **fastapi**" in adr
    # The caveat was FastAPI's for a Django team; the ADR's consequences are the hybrid's.
    assert "Watch out" not in adr
