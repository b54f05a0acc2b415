"""The recommendation, table-driven: the article's scenarios and the cases that pull both ways.

The expected stacks below are the article's advice, written by hand; the README shows the same
table in words, and a test keeps the two identical.
"""

from __future__ import annotations

import re

import jinja2
import pytest
from harness import TEMPLATE

# priority, workload, back_office, team, architecture -> stack
TABLE = [
    # Scenario 1, the standard SaaS MVP, and CRUD in general: Django's home ground.
    ("ship_fast", "crud", True, "django", "monolith", "drf"),
    ("ship_fast", "crud", False, "django", "monolith", "drf"),
    ("ship_fast", "crud", False, "async", "services", "drf"),
    ("both", "crud", True, "mixed", "monolith", "drf"),
    ("both", "crud", False, "async", "monolith", "drf"),
    ("performance", "crud", True, "async", "services", "drf"),
    ("performance", "crud", False, "django", "monolith", "drf"),
    ("performance", "crud", False, "mixed", "services", "drf"),
    # CRUD where speed is the point, nobody needs the admin and the team writes async services.
    ("performance", "crud", False, "async", "monolith", "fastapi"),
    ("both", "crud", False, "async", "services", "fastapi"),
    # Scenario 2, the high-load I/O-bound service: FastAPI, unless staff need a back office.
    ("performance", "realtime", False, "async", "services", "fastapi"),
    ("ship_fast", "realtime", False, "django", "monolith", "fastapi"),
    ("both", "realtime", False, "mixed", "services", "fastapi"),
    ("both", "realtime", True, "mixed", "monolith", "hybrid"),
    ("performance", "realtime", True, "django", "services", "hybrid"),
    ("ship_fast", "realtime", True, "async", "monolith", "hybrid"),
    # Scenario 3, a rich core plus a few hot paths: hybrid, unless time-to-market and a monolith
    # say ship DRF first, or an async team with no back office wants services.
    ("both", "mixed", True, "mixed", "monolith", "hybrid"),
    ("both", "mixed", False, "django", "services", "hybrid"),
    ("performance", "mixed", True, "django", "monolith", "hybrid"),
    ("performance", "mixed", True, "async", "services", "hybrid"),
    ("performance", "mixed", False, "mixed", "monolith", "hybrid"),
    ("ship_fast", "mixed", True, "django", "services", "hybrid"),
    ("ship_fast", "mixed", True, "django", "monolith", "drf"),
    ("ship_fast", "mixed", False, "async", "monolith", "drf"),
    ("ship_fast", "mixed", False, "async", "services", "fastapi"),
    ("performance", "mixed", False, "async", "services", "fastapi"),
    ("both", "mixed", False, "async", "services", "fastapi"),
]

# How the README's table words each answer.
WORDS = {
    "priority": {"Ship fast": "ship_fast", "Performance": "performance", "Both": "both"},
    "workload": {"CRUD": "crud", "Real-time I/O": "realtime", "CRUD + hot paths": "mixed"},
    "back_office": {"yes": True, "no": False},
    "team": {"Django": "django", "Async": "async", "Mixed": "mixed"},
    "architecture": {"Monolith": "monolith", "Services": "services"},
    "stack": {"DRF": "drf", "FastAPI": "fastapi", "Hybrid": "hybrid"},
}


@pytest.fixture(scope="module")
def decide():
    """The macros exactly as copier.yml imports them (paths relative to the template root)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE), undefined=jinja2.StrictUndefined
    )
    return env.get_template("templates/_shared/decide.jinja").module


def test_the_table_covers_every_answer():
    assert len(TABLE) >= 24
    for column, key in enumerate(WORDS):
        assert {row[column] for row in TABLE} == set(WORDS[key].values()), key
    assert len(set(TABLE)) == len(TABLE)


@pytest.mark.parametrize("priority,workload,back_office,team,architecture,expected", TABLE)
def test_recommendation(decide, priority, workload, back_office, team, architecture, expected):
    answers = (priority, workload, back_office, team, architecture)
    assert str(decide.recommend(*answers)) == expected
    reasons = str(decide.reasons(*answers)).split("\n")
    assert 2 <= len(reasons) <= 3, reasons
    assert all(len(reason) > 30 for reason in reasons), reasons


def test_readme_shows_the_same_table():
    readme = (TEMPLATE / "README.md").read_text()
    section = readme.split("## How stackwise recommends a stack", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and cells[0] in WORDS["priority"]:
            rows.append(tuple(WORDS[key][cell] for key, cell in zip(WORDS, cells[:6], strict=True)))
    assert rows == TABLE


def test_reasons_name_what_drives_them(decide):
    """The strongest reason speaks to the answer that decided it."""
    assert re.search(
        r"I/O", str(decide.reasons("performance", "realtime", False, "async", "services"))
    )
    assert "back office" in str(decide.reasons("both", "realtime", True, "mixed", "monolith"))
    assert "stack=hybrid" in str(decide.reasons("ship_fast", "mixed", True, "django", "monolith"))


@pytest.mark.parametrize("priority,workload,back_office,team,architecture,expected", TABLE)
def test_what_to_watch_out_for_is_never_given_as_a_reason(
    decide, priority, workload, back_office, team, architecture, expected
):
    answers = (priority, workload, back_office, team, architecture)
    reasons = str(decide.reasons(*answers)).split("\n")
    for stack in ("drf", "fastapi", "hybrid"):
        caveats = [c for c in str(decide.caveats(stack, *answers)).split("\n") if c]
        assert not set(caveats) & set(reasons), (stack, caveats)


def test_a_django_team_is_warned_about_async_and_only_then(decide):
    answers = ("ship_fast", "realtime", False, "django", "monolith")
    assert "learning curve" in str(decide.caveats("fastapi", *answers))
    assert str(decide.caveats("drf", *answers)) == ""
    assert str(decide.caveats("fastapi", "ship_fast", "realtime", False, "async", "monolith")) == ""
