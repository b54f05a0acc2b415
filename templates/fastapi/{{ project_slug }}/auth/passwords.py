"""Password rules: Django's four default validators, so both stacks accept the same passwords.

Not too similar to the email or the full name, at least 8 characters, not one of Django 5.2's
20,000 common passwords, not entirely numeric: Django's algorithms, order and messages. The list
is Django's (BSD-3-Clause; compiled by Royce Williams), lowercased, one password a line, gzipped.

Registration first reads the password as DRF's CharField does: surrounding whitespace trimmed
(eight spaces are a blank password), then between 8 and 128 characters, in DRF's words."""

import gzip
import re
from collections.abc import Mapping
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

MIN_LENGTH = 8
MAX_LENGTH = 128
MAX_SIMILARITY = 0.7
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")
# The user's attributes a password must not resemble, with the name a message gives them (the
# verbose names of the drf stack's User fields).
PERSONAL_ATTRIBUTES = {"email": "email", "full_name": "full name"}


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def _too_similar(password: str, value: str) -> bool:
    """Django's UserAttributeSimilarityValidator on one value: the whole value and each part
    (ada@example.com -> ada, example, com)."""
    value = value.lower()
    for part in [*re.split(r"\W+", value), value]:
        # Much longer passwords cannot reach the ratio: skip the costly comparison, as Django.
        if len(password) >= 10 * len(part) and len(part) < MAX_SIMILARITY / 2 * len(password):
            continue
        if SequenceMatcher(a=password, b=part).quick_ratio() >= MAX_SIMILARITY:
            return True
    return False


def password_problems(password: str, user: Mapping[str, object] | None = None) -> list[str]:
    """Every rule the password breaks, as messages; `user` holds its email and full_name."""
    problems = []
    for attribute, name in PERSONAL_ATTRIBUTES.items():
        value = (user or {}).get(attribute)
        if isinstance(value, str) and value and _too_similar(password.lower(), value):
            problems.append(f"The password is too similar to the {name}.")
            break
    if len(password) < MIN_LENGTH:
        problems.append(
            f"This password is too short. It must contain at least {MIN_LENGTH} characters."
        )
    if password.lower().strip() in common_passwords():
        problems.append("This password is too common.")
    if password.isdigit():
        problems.append("This password is entirely numeric.")
    return problems


def field_problem(password: str) -> str | None:
    """What DRF's CharField(min_length=8, max_length=128) says of a trimmed password, if
    anything; the validators above run only when it says nothing, as in DRF."""
    if not password:
        return "This field may not be blank."
    if len(password) < MIN_LENGTH:
        return f"Ensure this field has at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Ensure this field has no more than {MAX_LENGTH} characters."
    return None
