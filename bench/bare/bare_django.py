"""The drf stack's ceiling: Django + DRF serving the benchmark's three calls and nothing else.

No authentication, no middleware, no pagination, no settings layer: what the framework costs on
its own. It runs in the generated drf project's environment (the same Django, DRF and gunicorn)
with one sync gunicorn worker: `gunicorn bare_django:application` with this folder on PYTHONPATH.
BENCH_DATABASE_URL (sqlite:////abs/path or postgresql://...) and BENCH_UPSTREAM_URL configure it.
"""

import json
import os
import urllib.request
from urllib.parse import urlparse

import django
from django.conf import settings


def database(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": parsed.path}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parsed.path.lstrip("/"),
        "USER": parsed.username or "",
        "PASSWORD": parsed.password or "",
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or 5432),
        "CONN_MAX_AGE": None,  # one sync worker keeps its connection: no connect per request
    }


settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-not-a-secret",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[__name__],  # this module is its own app: it declares the Item model below
    MIDDLEWARE=[],
    DATABASES={"default": database(os.environ["BENCH_DATABASE_URL"])},
    USE_TZ=True,
    TIME_ZONE="UTC",
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": [],
        "UNAUTHENTICATED_USER": None,
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    },
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework import serializers  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

UPSTREAM_URL = os.environ.get("BENCH_UPSTREAM_URL", "http://127.0.0.1:9/")


class Item(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = __name__


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "title", "description", "done", "created_at", "updated_at"]


def health(request):
    """A plain Django view, as the stack's own health check is: the framework's floor."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": "ok"})


class Items(APIView):
    def get(self, request):
        rows = Item.objects.order_by("-created_at")[:20]
        return Response(ItemSerializer(rows, many=True).data)


class Upstream(APIView):
    def get(self, request):
        with urllib.request.urlopen(UPSTREAM_URL, timeout=30) as reply:
            return Response(json.loads(reply.read()))


def create_and_seed() -> None:
    """One worker, so no race: create the table and its 20 rows on first start."""
    if Item._meta.db_table not in connection.introspection.table_names():
        with connection.schema_editor() as editor:
            editor.create_model(Item)
    if not Item.objects.exists():
        Item.objects.bulk_create(Item(title=f"Item {n}", description="seed") for n in range(20))


urlpatterns = [
    path("health", health),
    path("api/items", Items.as_view()),
    path("api/bench/upstream", Upstream.as_view()),
]
create_and_seed()
connection.close()  # the worker opens its own connection on the first request
application = get_wsgi_application()
