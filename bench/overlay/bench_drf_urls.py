"""Benchmark only: the project's URLs plus the I/O-bound call, a DRF view behind the project's
own default authentication and permissions that waits on the slow upstream with a sync client
(urllib: one sync worker waits the same 50 ms whatever the client)."""

import json
import os
import urllib.request
from importlib import import_module

from django.conf import settings
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

project_urls = import_module(settings.PROJECT_ROOT_URLCONF)


class UpstreamView(APIView):
    def get(self, request):
        with urllib.request.urlopen(os.environ["BENCH_UPSTREAM_URL"], timeout=30) as reply:
            return Response(json.loads(reply.read()))


urlpatterns = [path("api/bench/upstream", UpstreamView.as_view()), *project_urls.urlpatterns]

# The project's error views (its one error shape for unknown paths) stay in force.
for _name in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(project_urls, _name):
        globals()[_name] = getattr(project_urls, _name)
