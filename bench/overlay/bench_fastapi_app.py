"""Benchmark only, never copied into a project: the generated fastapi project's own app plus
GET /api/bench/upstream, an async endpoint behind the project's own authentication that waits on
the slow upstream with httpx2's async client.

BENCH_PROJECT_APP names the project's app or app factory and BENCH_PROJECT_USER its current-user
dependency ("module:attribute"); the project's production command serves `bench_fastapi_app:app`.
"""

import os
from importlib import import_module

import httpx2 as httpx  # the benchmark serves the project with it (bench/stacks.py says why)
from fastapi import Depends, FastAPI


def imported(spec: str):
    """Import "module:attribute"."""
    module, _, attribute = spec.partition(":")
    return getattr(import_module(module), attribute)


_target = imported(os.environ["BENCH_PROJECT_APP"])
app = _target if isinstance(_target, FastAPI) else _target()  # an app factory, as --factory
# The project's own authentication: the dependency its protected endpoints use.
_current_user = imported(os.environ["BENCH_PROJECT_USER"])
_client: httpx.AsyncClient | None = None


async def upstream() -> dict[str, str]:
    global _client
    if _client is None:  # created inside the server's event loop, shared by every request
        limits = httpx.Limits(max_connections=1024, max_keepalive_connections=1024)
        _client = httpx.AsyncClient(limits=limits, timeout=30)
    reply = await _client.get(os.environ["BENCH_UPSTREAM_URL"])
    return reply.json()


app.add_api_route("/api/bench/upstream", upstream, dependencies=[Depends(_current_user)])
