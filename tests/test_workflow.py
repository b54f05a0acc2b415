"""The everyday loop of a generated project, as its README words it: list the commands, add a
feature, change a model, write the migration (by make and by the raw command), and stay green:
lint, migrations in sync, the project's own tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pexpect
import pytest
from harness import project_env, run, scratch_copy

PACKAGE = "acme_analytics"  # the slug of the default answers


@pytest.mark.parametrize("stack", ["drf", "fastapi", "hybrid"])
def test_make_alone_lists_the_commands_as_make_help_does(rendered, stack):
    project = rendered(stack)
    listing = run(["make"], project, timeout=30).stdout
    assert run(["make", "help"], project, timeout=30).stdout == listing
    described = {line.split()[1] for line in listing.splitlines() if len(line.split()) > 2}
    expected = {
        "help",
        "dev",
        "test",
        "lint",
        "format",
        "migrate",
        "superuser",
        "serve",
        "secrets",
        "audit",
    }
    if stack == "hybrid":
        expected |= {"dev-core", "dev-realtime", "serve-realtime"}
    assert expected <= described, listing


def append(path: Path, code: str) -> None:
    path.write_text(path.read_text() + code)


@pytest.mark.slow
def test_drf_add_an_app_change_models_and_stay_green(installed, tmp_path):
    project = scratch_copy(installed("drf"), tmp_path / "drf")
    run(["make", "app", "name=billing"], project)
    # What the command then asks the owner to do: list the app in INSTALLED_APPS.
    settings = project / "config" / "settings.py"
    items_app = f'    "{PACKAGE}.items",\n'
    settings.write_text(
        settings.read_text().replace(items_app, f'{items_app}    "{PACKAGE}.billing",\n')
    )
    run(["make", "lint"], project)
    assert "no issues" in run(["uv", "run", "python", "manage.py", "check"], project).stdout

    models = project / PACKAGE / "billing" / "models.py"
    models.write_text(INVOICE)
    run(["make", "migrations"], project)
    # Two developers each add a field on their branch, then makemigrations --merge joins them.
    raw = ["uv", "run", "python", "manage.py", "makemigrations"]
    migrations = project / PACKAGE / "billing" / "migrations"
    add_field(models, "    paid_at = models.DateTimeField(null=True, blank=True)\n")
    run([*raw, "billing", "--name", "paid_at"], project)
    paid = (migrations / "0002_paid_at.py").rename(tmp_path / "0002_paid_at.py")
    models.write_text(INVOICE)
    add_field(models, "    sent_at = models.DateTimeField(null=True, blank=True)\n")
    run([*raw, "billing", "--name", "sent_at"], project)
    paid.rename(migrations / paid.name)
    add_field(models, "    paid_at = models.DateTimeField(null=True, blank=True)\n")
    run([*raw, "--merge", "--noinput"], project)
    assert len(list(migrations.glob("0003_merge_*.py"))) == 1

    run(["make", "lint"], project)
    run(["make", "check"], project)  # the migrations match the models
    run(["make", "migrate"], project)
    run(["make", "test"], project)


def add_field(models: Path, line: str) -> None:
    last_field = "    issued_at = models.DateTimeField()\n"
    models.write_text(models.read_text().replace(last_field, last_field + line))


INVOICE = """from django.db import models


class Invoice(models.Model):
    number = models.CharField(
        max_length=20,
        help_text="The number printed on the invoice, unique per customer, as accounting asked.",
    )
    issued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.number
"""


@pytest.mark.slow
def test_fastapi_change_models_write_revisions_and_stay_green(installed, tmp_path):
    project = scratch_copy(installed("fastapi"), tmp_path / "fastapi")
    models = project / PACKAGE / "items" / "models.py"
    run(["make", "migrate"], project)
    append(models, NOTE)
    run(["make", "migration", "m=add notes"], project)
    run(["make", "migrate"], project)
    append(models, "    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)\n")
    run(["uv", "run", "alembic", "revision", "--autogenerate", "-m", "remind notes"], project)
    run(["make", "migrate"], project)
    # An empty revision, a second head beside it, and the merge of the two.
    run(["uv", "run", "alembic", "revision", "-m", "fill data"], project)
    head = run(["uv", "run", "alembic", "current"], project).stdout.split()[0]
    run(["uv", "run", "alembic", "revision", "-m", "other", "--head", head, "--splice"], project)
    run(["uv", "run", "alembic", "merge", "heads", "-m", "merge"], project)

    run(["make", "lint"], project)
    run(["make", "migrate"], project)
    run(["make", "check-migrations"], project)
    run(["make", "test"], project)


NOTE = """

class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
"""


@pytest.mark.slow
def test_fastapi_make_superuser_asks_for_the_email_and_password(installed, tmp_path):
    project = installed("fastapi")
    database = tmp_path / "db.sqlite3"
    env = project_env(DATABASE_URL=f"sqlite:///{database}")
    run(["uv", "run", "alembic", "upgrade", "head"], project, DATABASE_URL=env["DATABASE_URL"])
    session = pexpect.spawn(
        "make", ["superuser"], cwd=project, env=env, encoding="utf-8", timeout=60
    )
    session.expect("Email: ")
    session.sendline("not-an-email")
    session.expect("not a valid email address")
    session.expect("Email: ")
    session.sendline("Staff@Example.com")
    session.expect("Password: ")
    session.sendline("staff-Passphrase-42")
    session.expect(r"Password \(again\): ")
    session.sendline("staff-Passphrase-42")
    session.expect("created")
    session.expect(pexpect.EOF)
    session.close()
    assert session.exitstatus == 0, session.before
    with sqlite3.connect(database) as connection:
        staff = connection.execute("SELECT email, is_staff FROM users").fetchall()
    assert staff == [("staff@example.com", 1)]
