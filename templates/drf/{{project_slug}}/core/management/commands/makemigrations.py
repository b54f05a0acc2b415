"""Django's makemigrations, whose files then pass `make lint` (Django writes its own style)."""

from pathlib import Path

from django.apps import apps
from django.core.management.commands import makemigrations

from ..ruff import lint_and_format


def migration_files() -> set[Path]:
    return {
        path for app in apps.get_app_configs() for path in Path(app.path, "migrations").glob("*.py")
    }


class Command(makemigrations.Command):
    def handle(self, *app_labels, **options):
        before = migration_files()
        super().handle(*app_labels, **options)
        # New files (makemigrations, --merge) and rewritten ones (--update).
        written = (migration_files() - before) | set(map(Path, self.written_files))
        lint_and_format(sorted(written))
