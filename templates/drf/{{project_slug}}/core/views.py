from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound


def health(request):
    """200 when the app can query its database, 503 when it cannot (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([])
def api_not_found(request):
    """Unknown /api/ paths answer with the API's JSON error shape, not an HTML page."""
    raise NotFound(f"No API endpoint at {request.path}.")


REDOC_PAGE = """<!DOCTYPE html>
<html>
  <head>
    <title>{title}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
  </head>
  <body style="margin: 0">
    <redoc spec-url="{schema_url}"></redoc>
    <script src="{script}"></script>
  </body>
</html>
"""


def redoc(request):
    """ReDoc from the sidecar package. drf-spectacular's own page links Google Fonts; this one
    loads nothing from another host."""
    page = REDOC_PAGE.format(
        title=escape(settings.SPECTACULAR_SETTINGS["TITLE"]),
        schema_url=reverse("schema"),
        script=static("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"),
    )
    return HttpResponse(page)
