"""Benchmark only, never copied into a project: the generated fastapi project's own app plus
GET /api/bench/upstream, an async endpoint behind the project's own authentication that waits on
the slow upstream with httpx2's async client.

BENCH_PROJECT_APP names the project's app or app factory ("module:attribute"); the project's
production command then serves `bench_fastapi_app:app` instead.
"""

import os
from importlib import import_module

import httpx2 as httpx  # the benchmark serves the project with it (bench/stacks.py says why)
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute

_module, _, _attribute = os.environ["BENCH_PROJECT_APP"].partition(":")
_target = getattr(import_module(_module), _attribute)
app = _target if isinstance(_target, FastAPI) else _target()  # an app factory, as --factory

# Authenticate exactly as GET /api/auth/me does, whatever the project names its dependency.
_me = next(
    route
    for route in app.routes
    if isinstance(route, APIRoute) and route.path == "/api/auth/me" and "GET" in route.methods
)
_authenticated = [Depends(dependency.call) for dependency in _me.dependant.dependencies]
_client: httpx.AsyncClient | None = None


async def upstream() -> dict[str, str]:
    global _client
    if _client is None:  # created inside the server's event loop, shared by every request
        limits = httpx.Limits(max_connections=1024, max_keepalive_connections=1024)
        _client = httpx.AsyncClient(limits=limits, timeout=30)
    reply = await _client.get(os.environ["BENCH_UPSTREAM_URL"])
    return reply.json()


app.router.add_api_route("/api/bench/upstream", upstream, dependencies=_authenticated)
app.router.routes.insert(0, app.router.routes.pop())  # ahead of any catch-all route
