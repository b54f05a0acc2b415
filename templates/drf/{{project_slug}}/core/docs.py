"""The first pages a browser opens: the site root, the favicon and ReDoc. Everything they load
comes from this project (drf-spectacular-sidecar ships the assets): no CDN, no other host."""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page

SIDECAR = "drf_spectacular_sidecar"
# ReDoc draws its "API docs by Redocly" badge from Redocly's CDN and has no option to stop it;
# the bundle is served with that one address swapped for an empty image of the same size.
REDOC_BADGE = "https://cdn.redoc.ly/redoc/logo-mini.svg"
NO_BADGE = "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='15' height='15'/>"

REDOC_PAGE = """<!DOCTYPE html>
<html>
  <head>
    <title>{title}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="icon" href="{favicon}">
  </head>
  <body style="margin: 0">
    <redoc spec-url="{schema_url}"></redoc>
    <script src="{script}"></script>
  </body>
</html>
"""


def redoc(request):
    """ReDoc, without drf-spectacular's own page, which links Google Fonts."""
    page = REDOC_PAGE.format(
        title=escape(settings.SPECTACULAR_SETTINGS["TITLE"]),
        favicon=reverse("favicon"),
        schema_url=reverse("schema"),
        script=reverse("redoc-script"),
    )
    return HttpResponse(page)


@cache
def sidecar_file(name: str) -> bytes:
    """A file the sidecar package ships, read once per process (found without collectstatic)."""
    return Path(finders.find(f"{SIDECAR}/{name}")).read_bytes()


@cache
def redoc_bundle() -> bytes:
    script = sidecar_file("redoc/bundles/redoc.standalone.js").decode()
    return script.replace(REDOC_BADGE, NO_BADGE).encode()


@gzip_page
@cache_control(public=True, max_age=3600)
def redoc_script(request):
    return HttpResponse(redoc_bundle(), content_type="text/javascript; charset=utf-8")


@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers ask every site for /favicon.ico: answer with Swagger UI's icon, not a 404."""
    icon = sidecar_file("swagger-ui-dist/favicon-32x32.png")
    return HttpResponse(icon, content_type="image/png")
