"""The API contract every stackwise backend keeps, walked over real HTTP.

The same walk runs against the drf stack, the fastapi stack and the hybrid stack's core, so a
client written against one of them works against all three.
"""

from __future__ import annotations

import re
import uuid

from harness import Response, http

ERROR_KEYS = {"code", "detail", "fields"}


def assert_error(reply: Response, status: int, field: str | None = None) -> dict:
    """Every 4xx has one shape: {"code": str, "detail": str, "fields": {name: [messages]}}."""
    assert reply.status == status, (reply.status, reply.text)
    body = reply.json()
    assert set(body) == ERROR_KEYS, body
    assert isinstance(body["code"], str) and body["code"], body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["fields"], dict), body
    if field is not None:
        messages = body["fields"].get(field)
        assert messages and all(isinstance(m, str) and m for m in messages), body
    return body


def register_and_login(base: str, email: str, password: str) -> dict:
    created = http("POST", f"{base}/api/auth/register", {"email": email, "password": password})
    assert created.status == 201, created.text
    tokens = http("POST", f"{base}/api/auth/token", {"email": email, "password": password})
    assert tokens.status == 200, tokens.text
    return tokens.json()


def walk_auth(base: str) -> dict:
    email = f"founder-{uuid.uuid4().hex[:8]}@example.com"
    password = "correct-horse-battery-9"

    created = http("POST", f"{base}/api/auth/register", {"email": email, "password": password})
    assert created.status == 201, created.text
    user = created.json()
    assert user["email"] == email and "id" in user
    assert "password" not in user

    assert_error(
        http("POST", f"{base}/api/auth/register", {"email": email, "password": password}),
        400,
        "email",
    )
    assert_error(
        http("POST", f"{base}/api/auth/register", {"email": f"x{email}", "password": "123"}),
        400,
        "password",
    )
    assert_error(
        http("POST", f"{base}/api/auth/register", {"email": "not-an-email", "password": password}),
        400,
        "email",
    )

    assert_error(
        http("POST", f"{base}/api/auth/token", {"email": email, "password": "wrong-password-1"}),
        401,
    )
    tokens = http("POST", f"{base}/api/auth/token", {"email": email, "password": password})
    assert tokens.status == 200, tokens.text
    tokens = tokens.json()
    assert tokens["access"] and tokens["refresh"]

    me = http("GET", f"{base}/api/auth/me", token=tokens["access"])
    assert me.status == 200 and me.json()["email"] == email, me.text
    assert_error(http("GET", f"{base}/api/auth/me"), 401)
    assert_error(http("GET", f"{base}/api/auth/me", token="not.a.token"), 401)
    assert_error(http("GET", f"{base}/api/auth/me", token=tokens["refresh"]), 401)

    patched = http("PATCH", f"{base}/api/auth/me", {"full_name": "Ada Founder"}, tokens["access"])
    assert patched.status == 200 and patched.json()["full_name"] == "Ada Founder", patched.text

    refreshed = http("POST", f"{base}/api/auth/refresh", {"refresh": tokens["refresh"]})
    assert refreshed.status == 200, refreshed.text
    rotated = refreshed.json()
    assert rotated["access"] and rotated["refresh"] != tokens["refresh"]
    # Rotation revokes the refresh token it replaced.
    assert_error(http("POST", f"{base}/api/auth/refresh", {"refresh": tokens["refresh"]}), 401)
    assert http("GET", f"{base}/api/auth/me", token=rotated["access"]).status == 200

    logout = http(
        "POST", f"{base}/api/auth/logout", {"refresh": rotated["refresh"]}, rotated["access"]
    )
    assert logout.status == 204, logout.text
    assert_error(http("POST", f"{base}/api/auth/refresh", {"refresh": rotated["refresh"]}), 401)

    return register_and_login(base, f"owner-{uuid.uuid4().hex[:8]}@example.com", password)


def walk_items(base: str, tokens: dict) -> None:
    access = tokens["access"]
    titles = ["alpha", "bravo", "charlie"]
    ids = []
    for title in titles:
        reply = http("POST", f"{base}/api/items", {"title": title, "description": "d"}, access)
        assert reply.status == 201, reply.text
        item = reply.json()
        assert item["title"] == title and item["done"] is False
        ids.append(item["id"])

    assert_error(
        http("POST", f"{base}/api/items", {"description": "no title"}, access), 400, "title"
    )

    page = http("GET", f"{base}/api/items?page_size=2&ordering=title", token=access).json()
    assert page["count"] == 3 and page["previous"] is None and page["next"]
    assert [i["title"] for i in page["results"]] == ["alpha", "bravo"]
    newest = http("GET", f"{base}/api/items?ordering=-created_at", token=access).json()
    assert [i["title"] for i in newest["results"]] == ["charlie", "bravo", "alpha"]

    done = http("PATCH", f"{base}/api/items/{ids[1]}", {"done": True}, access)
    assert done.status == 200 and done.json()["done"] is True, done.text
    filtered = http("GET", f"{base}/api/items?done=true", token=access).json()
    assert [i["id"] for i in filtered["results"]] == [ids[1]]
    searched = http("GET", f"{base}/api/items?search=char", token=access).json()
    assert [i["id"] for i in searched["results"]] == [ids[2]]

    full = {"title": "alpha two", "description": "", "done": False}
    put = http("PUT", f"{base}/api/items/{ids[0]}", full, access)
    assert put.status == 200 and put.json()["title"] == "alpha two", put.text

    # Another user never sees or touches these items.
    other = register_and_login(base, f"rival-{uuid.uuid4().hex[:8]}@example.com", "another-Pass-77")
    rival = other["access"]
    assert http("GET", f"{base}/api/items", token=rival).json()["count"] == 0
    assert_error(http("GET", f"{base}/api/items/{ids[0]}", token=rival), 404)
    assert_error(http("PATCH", f"{base}/api/items/{ids[0]}", {"done": True}, rival), 404)
    assert_error(http("DELETE", f"{base}/api/items/{ids[0]}", token=rival), 404)
    assert_error(http("GET", f"{base}/api/items"), 401)

    assert http("DELETE", f"{base}/api/items/{ids[0]}", token=access).status == 204
    assert_error(http("GET", f"{base}/api/items/{ids[0]}", token=access), 404)


def assert_self_hosted(base: str, page_path: str) -> None:
    """A docs page loads, and every script, stylesheet and image it references is served by the
    project itself: no CDN, no external host."""
    page = http("GET", f"{base}{page_path}")
    assert page.status == 200, page.text
    html = page.text
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html), html
    assets = re.findall(r"(?:src|href)=[\"']([^\"']+\.(?:js|css|png))", html)
    assert assets, html
    for asset in assets:
        url = asset if asset.startswith("http") else f"{base}{asset}"
        assert http("GET", url).status == 200, asset
    # Scripts the page runs must not fetch from elsewhere either.
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html and "fonts.googleapis" not in html


def walk_docs_and_ops(base: str) -> None:
    health = http("GET", f"{base}/health")
    assert health.status == 200 and health.json()["status"] == "ok", health.text

    schema = http("GET", f"{base}/api/openapi.json")
    assert schema.status == 200, schema.text
    paths = schema.json()["paths"]
    for path in ("/api/auth/register", "/api/auth/token", "/api/auth/me", "/api/items"):
        assert path in paths, sorted(paths)

    assert_self_hosted(base, "/api/docs")
    assert_self_hosted(base, "/api/redoc")

    admin = http("GET", f"{base}/admin/")
    assert admin.status == 200 and 'type="password"' in admin.text, admin.text

    assert_error(http("GET", f"{base}/api/no-such-endpoint"), 404)


def walk(base: str) -> None:
    """The whole contract: auth, items with ownership, docs, admin and health."""
    tokens = walk_auth(base)
    walk_items(base, tokens)
    walk_docs_and_ops(base)
