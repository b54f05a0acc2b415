"""`manage.py startapp billing` (or `make app name=billing`) creates the app inside the project's
package: `<package>/billing/`, with `name = "<package>.billing"` in its apps.py and files that
pass `make lint`. Given a directory or a --template, it is Django's own startapp."""

from pathlib import Path

from django.core.management.base import CommandError
from django.core.management.commands import startapp

PACKAGE = __name__.split(".")[0]
PACKAGE_DIR = Path(__file__).resolve().parents[3]

FILES = {
    "__init__.py": "",
    "apps.py": """from django.apps import AppConfig


class {config}(AppConfig):
    name = "{package}.{name}"
""",
    "models.py": '"""The {name} models. After changing them: `make migrations`."""\n',
    "admin.py": '"""The {name} models in the admin (see ../items/admin.py)."""\n',
    "views.py": '"""The {name} API: serializers, views and urls as in ../items/."""\n',
    "migrations/__init__.py": "",
}


class Command(startapp.Command):
    def handle(self, **options):
        if options["directory"] or options["template"]:
            return super().handle(**options)
        name = options["name"]
        self.app_or_project, self.a_or_an = "app", "an"  # what validate_name's messages say
        self.validate_name(name)
        target = PACKAGE_DIR / name
        if target.exists():
            raise CommandError(f"{target} already exists.")
        config = "".join(part.capitalize() for part in name.split("_")) + "Config"
        for path, text in FILES.items():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_text(text.format(name=name, package=PACKAGE, config=config))
        self.stdout.write(
            f'Created {PACKAGE}/{name}/. Add "{PACKAGE}.{name}" to INSTALLED_APPS in '
            "config/settings.py, write its models, then run `make migrations`."
        )
