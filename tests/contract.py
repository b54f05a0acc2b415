"""The API contract every stackwise backend keeps, walked over real HTTP.

The same walk runs against the drf stack, the fastapi stack and the hybrid stack's core, so a
client written against one of them works against all three.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid

from browser import Chromium
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


HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
# Words that describe how the server works, not what an endpoint does for a client.
INTERNALS = re.compile(
    r"\b(queryset|serializer|viewset|mixin|orm|sql\w*|statement|django|drf|fastapi|sqlalchemy|"
    r"pydantic|throttl\w*|concrete view)\b",
    re.IGNORECASE,
)
SETTING = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")  # an environment variable's name


def operations(schema: dict) -> list[tuple[str, dict]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def descriptions(node) -> list[str]:
    """Every description in a schema: operations, parameters, responses, components."""
    if isinstance(node, dict):
        found = [node["description"]] if isinstance(node.get("description"), str) else []
        return found + [text for value in node.values() for text in descriptions(value)]
    if isinstance(node, list):
        return [text for value in node for text in descriptions(value)]
    return []


def assert_docs_read_well(schema: dict) -> None:
    """Every operation has a human summary (the heading in ReDoc and Swagger UI, instead of an
    operation id like items_list), documents the error statuses the API answers, and every
    description speaks to a client, not of internals."""
    for where, operation in operations(schema):
        summary = operation.get("summary", "")
        assert summary and summary[0].isupper() and "_" not in summary, (where, summary)
        assert summary != operation.get("operationId"), where
        # Invalid input answers 400 in the error shape (walk_auth, walk_items), never 422.
        assert "422" not in operation.get("responses", {}), where
    for text in descriptions(schema):
        assert not INTERNALS.search(text) and not SETTING.search(text), text


def assert_first_urls(base: str) -> None:
    """The root a newcomer opens leads to the API docs; the favicon every browser asks for is
    an image, not a 404."""
    home = http("GET", f"{base}/", follow_redirects=False)
    assert home.status == 302, (home.status, home.text)
    assert urllib.parse.urljoin(f"{base}/", home.headers["location"]) == f"{base}/api/docs"
    icon = http("GET", f"{base}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/"), icon.headers
    assert icon.body.startswith((b"\x89PNG", b"\0\0\1\0", b"<svg")), icon.body[:100]


def headings(selector: str) -> str:
    """JavaScript for what a person sees once the page has rendered: its path (after any
    redirect) and the heading of each operation; null until the headings are there."""
    return f"""(() => {{
      const found = document.querySelectorAll({json.dumps(selector)});
      const headings = Array.from(found, (heading) => heading.textContent.trim());
      return headings.length ? {{path: location.pathname, headings: headings}} : null;
    }})()"""


SWAGGER_UI = headings(".opblock-summary-description")
REDOC = headings('[data-section-id*="operation/"] h2')


def assert_docs_in_browser(browser: Chromium, base: str) -> None:
    """Open the root, Swagger UI and ReDoc in Chromium, as a newcomer would: each shows every
    operation under its summary, logs no error, and requests nothing from another host (no
    CDN, no fonts, no logo): the docs work offline and under a strict Content-Security-Policy."""
    schema = http("GET", f"{base}/api/openapi.json").json()
    summaries = sorted(operation["summary"] for _, operation in operations(schema))
    for path, probe, lands_on in [
        ("/", SWAGGER_UI, "/api/docs"),
        ("/api/docs", SWAGGER_UI, "/api/docs"),
        ("/api/redoc", REDOC, "/api/redoc"),
    ]:
        page = browser.load(f"{base}{path}", probe)
        assert page.value, f"{path} rendered no operation: {page}"
        assert page.value["path"] == lands_on, page.value
        assert sorted(page.value["headings"]) == summaries, page.value
        assert not page.errors, (path, page.errors)
        elsewhere = [
            url
            for url in page.requests
            if not url.startswith("data:") and not url.removeprefix("blob:").startswith(f"{base}/")
        ]
        assert not elsewhere, (path, elsewhere)


def walk_docs(base: str) -> None:
    """Health, the schema and the docs: what every project serves, with or without an admin."""
    health = http("GET", f"{base}/health")
    assert health.status == 200 and health.json()["status"] == "ok", health.text

    schema = http("GET", f"{base}/api/openapi.json")
    assert schema.status == 200, schema.text
    paths = schema.json()["paths"]
    for path in ("/api/auth/register", "/api/auth/token", "/api/auth/me", "/api/items"):
        assert path in paths, sorted(paths)
    assert_docs_read_well(schema.json())

    assert_self_hosted(base, "/api/docs")
    assert_self_hosted(base, "/api/redoc")
    assert_first_urls(base)


def walk_docs_and_ops(base: str) -> None:
    walk_docs(base)
    admin = http("GET", f"{base}/admin/")
    assert admin.status == 200 and 'type="password"' in admin.text, admin.text

    assert_error(http("GET", f"{base}/api/no-such-endpoint"), 404)


def walk(base: str) -> None:
    """The whole contract: auth, items with ownership, docs, admin and health."""
    tokens = walk_auth(base)
    walk_items(base, tokens)
    walk_docs_and_ops(base)
