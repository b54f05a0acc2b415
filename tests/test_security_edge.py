"""The HTTP edge of every production server, compared across stacks (issue 12): the same security
headers, plain HTTP redirected to HTTPS, one 1 MiB body limit, and a bound on every string.

One server per stack for the module, as a deployment runs it with the HTTPS redirect ON: the drf
core, the fastapi app, the hybrid's core and its realtime service. The tests speak plain HTTP on
loopback; a request "behind the TLS proxy" carries X-Forwarded-Proto: https, as the proxy sets it.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid
from contextlib import ExitStack
from http.client import HTTPConnection

import pytest
from harness import Response, fresh_postgres_database, lowercase, postgres_available
from servers import drf_core, fastapi_app, realtime_service

pytestmark = pytest.mark.slow

REDIRECT_ON = {"SECURE_SSL_REDIRECT": "true"}
BEHIND_TLS = {"Host": "localhost", "X-Forwarded-Proto": "https"}
PLAIN_HTTP = {"Host": "localhost"}
# What Django sends with the drf stack's production settings (SecurityMiddleware and
# XFrameOptionsMiddleware); the other servers must send the same.
SECURITY_HEADERS = {
    "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
PASSWORD = "edge-Passphrase-42"
API_STACKS = ("drf", "fastapi", "hybrid")
# A JSON path of each server that reads its body without a token.
BODY_PATHS = {
    "drf": "/api/auth/register",
    "fastapi": "/api/auth/register",
    "hybrid": "/api/auth/register",
    "realtime": "/api/events",
}


def database(name: str, tmp_path_factory) -> str:
    if postgres_available():
        return fresh_postgres_database(f"stackwise_edge_{name}")
    return f"sqlite:///{tmp_path_factory.mktemp(f'edge-{name}') / 'db.sqlite3'}"


@pytest.fixture(scope="module")
def live(installed, tmp_path_factory) -> dict[str, str]:
    """The four production servers, redirect on; their base URLs by name."""
    with ExitStack() as servers:
        drf, fastapi, hybrid = (installed(stack) for stack in API_STACKS)
        hybrid_db = database("hybrid", tmp_path_factory)
        bases = {
            "drf": drf_core(
                drf, database("drf", tmp_path_factory), WEB_CONCURRENCY="1", **REDIRECT_ON
            ),
            "fastapi": fastapi_app(fastapi, database("fastapi", tmp_path_factory), **REDIRECT_ON),
            "hybrid": drf_core(hybrid, hybrid_db, WEB_CONCURRENCY="1", **REDIRECT_ON),
            "realtime": realtime_service(hybrid, hybrid_db, **REDIRECT_ON),
        }
        yield {name: servers.enter_context(started) for name, started in bases.items()}


def send(
    method: str, url: str, headers: dict[str, str], body: bytes | None = None, chunked=False
) -> Response:
    """One request with exactly these headers, redirects not followed. `chunked` sends the body
    in 64 KiB chunks without a Content-Length. A server that answers before the whole body is
    sent (a 413) may close the connection under the sender: its answer is still read."""
    parts = urllib.parse.urlsplit(url)
    connection = HTTPConnection(parts.netloc, timeout=30)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        if chunked:
            chunks = (body[i : i + 65536] for i in range(0, len(body or b""), 65536))
            connection.request(method, target, chunks, headers, encode_chunked=True)
        else:
            connection.request(method, target, body, headers)
        reply = connection.getresponse()
        return Response(reply.status, lowercase(reply.headers), reply.read())
    finally:
        connection.close()


def post_json(url: str, body: dict, token: str | None = None) -> Response:
    headers = {**BEHIND_TLS, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return send("POST", url, headers, json.dumps(body).encode())


def assert_error(reply: Response, status: int, code: str, field: str | None = None) -> None:
    assert reply.status == status, (reply.status, reply.text[:300])
    body = reply.json()
    assert set(body) == {"code", "detail", "fields"} and body["code"] == code, body
    if field:
        assert body["fields"][field], body


def security_headers(reply: Response) -> dict[str, str]:
    return {name: reply.headers[name] for name in SECURITY_HEADERS if name in reply.headers}


def test_every_server_sends_the_same_security_headers(live):
    seen = {}
    for name, base in live.items():
        for path in ("/health", "/api/openapi.json", "/api/no-such-page"):
            reply = send("GET", f"{base}{path}", BEHIND_TLS)
            assert reply.status in (200, 404), (name, path, reply.status)
            seen[name, path] = security_headers(reply)
        # /health over plain HTTP: answered (load balancers probe it), HSTS only over HTTPS.
        reply = send("GET", f"{base}/health", PLAIN_HTTP)
        assert reply.status == 200, (name, reply.status)
        without_hsts = {
            k: v for k, v in SECURITY_HEADERS.items() if k != "strict-transport-security"
        }
        assert security_headers(reply) == without_hsts, name
    assert set(map(frozenset, (h.items() for h in seen.values()))) == {
        frozenset(SECURITY_HEADERS.items())
    }, seen


def test_plain_http_is_redirected_to_the_same_url_over_https(live):
    for name, base in live.items():
        path = BODY_PATHS[name].replace("register", "me").replace("events", "events/stream")
        for target in (f"{path}?page=2&search=a%20b", path):
            reply = send("GET", f"{base}{target}", PLAIN_HTTP)
            assert (reply.status, reply.headers.get("location")) == (
                301,
                f"https://localhost{target}",
            ), name
        # Behind the TLS proxy the request reaches the app: no token, so 401.
        assert send("GET", f"{base}{path}", BEHIND_TLS).status == 401, name


def test_a_body_over_one_mebibyte_is_413_on_every_server_chunked_or_not(live):
    two_megabytes = json.dumps({"pad": "x" * 2_000_000}).encode()
    headers = {**BEHIND_TLS, "Content-Type": "application/json"}
    for name, base in live.items():
        for chunked in (False, True):  # chunked: no Content-Length, counted as it arrives
            reply = send("POST", f"{base}{BODY_PATHS[name]}", headers, two_megabytes, chunked)
            assert_error(reply, 413, "request_too_large")


def test_a_small_chunked_body_is_read_on_every_server(live):
    headers = {**BEHIND_TLS, "Content-Type": "application/json"}
    for name in API_STACKS:
        credentials = {"email": f"chunked-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
        body = json.dumps(credentials).encode()
        reply = send("POST", f"{live[name]}/api/auth/register", headers, body, chunked=True)
        assert reply.status == 201, (name, reply.status, reply.text[:300])
    # The realtime service, with a token from its core (the last credentials: the hybrid's).
    token = post_json(f"{live['hybrid']}/api/auth/token", credentials).json()["access"]
    batch = json.dumps({"events": [{"name": "chunked"}]}).encode()
    headers["Authorization"] = f"Bearer {token}"
    reply = send("POST", f"{live['realtime']}/api/events", headers, batch, chunked=True)
    assert (reply.status, reply.json()) == (202, {"accepted": 1}), reply.text[:300]


def test_an_over_long_field_is_a_400_naming_it_on_every_api(live):
    for name in API_STACKS:
        base = live[name]
        email = f"edge-{uuid.uuid4().hex[:8]}@example.com"
        credentials = {"email": email, "password": PASSWORD}
        assert post_json(f"{base}/api/auth/register", credentials).status == 201, name
        tokens = post_json(f"{base}/api/auth/token", credentials).json()
        too_long = {"email": email, "password": "p" * 129}
        assert_error(
            post_json(f"{base}/api/auth/token", too_long), 400, "validation_error", "password"
        )
        refresh = post_json(f"{base}/api/auth/refresh", {"refresh": "x" * 1025})
        assert_error(refresh, 400, "validation_error", "refresh")
        items = f"{base}/api/items"
        longest = post_json(items, {"title": "t", "description": "x" * 10_000}, tokens["access"])
        assert longest.status == 201, (name, longest.text[:300])
        reply = post_json(items, {"title": "t", "description": "x" * 10_001}, tokens["access"])
        assert_error(reply, 400, "validation_error", "description")
