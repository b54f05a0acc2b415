"""The API contract every stackwise backend keeps, walked over real HTTP.

The same walk runs against the drf stack, the fastapi stack and the hybrid stack's core, so a
client written against one of them works against all three.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import urllib.parse
import uuid

import yaml
from browser import Chromium
from harness import TEMPLATE, Response, http

ERROR_KEYS = {"code", "detail", "fields"}
# The contract every stack keeps (templates/_shared/contract/): its error codes and the rules
# of `behaviour` drive the walks below.
CONTRACT = yaml.safe_load((TEMPLATE / "templates/_shared/contract/contract.yml").read_text())
STATUS_OF = {error["code"]: error["status"] for error in CONTRACT["errors"]}
RULES = CONTRACT["behaviour"]


def assert_error(
    reply: Response, status: int, field: str | None = None, code: str | None = None
) -> dict:
    """Every error has one shape: {"code": str, "detail": str, "fields": {name: [messages]}},
    with a code from the contract's table that goes with its status."""
    assert reply.status == status, (reply.status, reply.text[:500])
    try:
        body = reply.json()
    except ValueError:
        raise AssertionError(f"not JSON: {reply.headers} {reply.text[:500]}") from None
    assert set(body) == ERROR_KEYS, body
    assert STATUS_OF.get(body["code"]) == status, (status, body)
    assert code is None or body["code"] == code, (code, body)
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
        code="authentication_failed",
    )
    tokens = http("POST", f"{base}/api/auth/token", {"email": email, "password": password})
    assert tokens.status == 200, tokens.text
    tokens = tokens.json()
    assert tokens["access"] and tokens["refresh"]

    me = http("GET", f"{base}/api/auth/me", token=tokens["access"])
    assert me.status == 200 and me.json()["email"] == email, me.text
    assert_error(http("GET", f"{base}/api/auth/me"), 401, code="not_authenticated")
    bad = "not.a.token"
    assert_error(http("GET", f"{base}/api/auth/me", token=bad), 401, code="token_not_valid")
    refresh = tokens["refresh"]  # not an access token
    assert_error(http("GET", f"{base}/api/auth/me", token=refresh), 401, code="token_not_valid")

    patched = http("PATCH", f"{base}/api/auth/me", {"full_name": "Ada Founder"}, tokens["access"])
    assert patched.status == 200 and patched.json()["full_name"] == "Ada Founder", patched.text

    refreshed = http("POST", f"{base}/api/auth/refresh", {"refresh": tokens["refresh"]})
    assert refreshed.status == 200, refreshed.text
    rotated = refreshed.json()
    assert rotated["access"] and rotated["refresh"] != tokens["refresh"]
    # Rotation revokes the refresh token it replaced; presenting that one again is reuse, which
    # revokes its family: the rotated token too. Access tokens simply expire.
    revoked = http("POST", f"{base}/api/auth/refresh", {"refresh": tokens["refresh"]})
    assert_error(revoked, 401, code="token_not_valid")
    family = http("POST", f"{base}/api/auth/refresh", {"refresh": rotated["refresh"]})
    assert_error(family, 401, code="token_not_valid")
    assert http("GET", f"{base}/api/auth/me", token=rotated["access"]).status == 200

    tokens = http("POST", f"{base}/api/auth/token", {"email": email, "password": password}).json()
    logout = http(
        "POST", f"{base}/api/auth/logout", {"refresh": tokens["refresh"]}, tokens["access"]
    )
    assert logout.status == 204, logout.text
    revoked = http("POST", f"{base}/api/auth/refresh", {"refresh": tokens["refresh"]})
    assert_error(revoked, 401, code="token_not_valid")

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
    assert_error(http("GET", f"{base}/api/items"), 401, code="not_authenticated")

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

    assert_error(http("GET", f"{base}/api/no-such-endpoint"), 404, code="not_found")


# The behaviour rules of the contract (contract.yml `behaviour`, contract.md), edge by edge.
PASSWORD = "correct-horse-battery-9"


def unique_email(who: str) -> str:
    return f"{who}-{uuid.uuid4().hex[:8]}@example.com"


def walk_paths_and_methods(base: str, access: str, item_id: int) -> None:
    """Trailing slashes and unknown paths are 404s, HEAD mirrors every GET, a method a path does
    not have is a 405, and an id that cannot exist is a 404: all in the error shape."""
    for template, operations in CONTRACT["api"]["paths"].items():
        path = template.replace("{id}", str(item_id))
        for method in operations:
            body = {} if method in ("post", "put", "patch") else None
            slashed = http(method.upper(), f"{base}{path}/", body, access, follow_redirects=False)
            assert_error(slashed, 404, code="not_found")
        if "get" in operations:
            get = http("GET", f"{base}{path}", token=access)
            head = http("HEAD", f"{base}{path}", token=access)
            assert (head.status, head.body) == (get.status, b""), (path, head.status, head.body)
            assert head.headers.get("content-type") == get.headers.get("content-type"), path
    assert_error(http("GET", f"{base}/no-such-page"), 404, code="not_found")
    assert_error(
        http("DELETE", f"{base}/api/auth/me", token=access), 405, code="method_not_allowed"
    )
    assert_error(http("PUT", f"{base}/api/items", {}, access), 405, code="method_not_allowed")
    for bad in RULES["integers"]["bad_path_ids"]:
        for method, body in (
            ("GET", None),
            ("PUT", {"title": "x"}),
            ("PATCH", {}),
            ("DELETE", None),
        ):
            reply = http(method, f"{base}/api/items/{bad}", body, access)
            assert_error(reply, 404, code="not_found")


def nested(levels: int) -> str:
    """An item whose JSON body is `levels` deep (the object itself is one level)."""
    return '{"title": "deep", "extra": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"


def walk_bodies(base: str, access: str) -> None:
    """JSON only, within the size and depth limits, strictly parsed; NUL is refused by name."""
    items = f"{base}/api/items"
    text = json.dumps({"title": "typed"}).encode()
    for media in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        reply = http("POST", items, raw=text, content_type=media, token=access)
        assert_error(reply, 415, code="unsupported_media_type")
    form = urllib.parse.urlencode({"email": unique_email("form"), "password": PASSWORD})
    reply = http(
        "POST",
        f"{base}/api/auth/register",
        raw=form.encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(reply, 415, code="unsupported_media_type")
    utf8 = http(
        "POST", items, raw=text, content_type="application/json; charset=utf-8", token=access
    )
    assert utf8.status == 201, utf8.text

    for raw in [*RULES["body"]["malformed"], nested(10_000)]:
        reply = http("POST", items, raw=raw.encode(), token=access)
        assert_error(reply, 400, "non_field_errors", "validation_error")
    depth = RULES["body"]["max_depth"]
    deepest = http("POST", items, raw=nested(depth).encode(), token=access)
    assert deepest.status == 201, deepest.text
    too_deep = http("POST", items, raw=nested(depth + 1).encode(), token=access)
    assert_error(too_deep, 400, "non_field_errors", "validation_error")

    big = {"title": "big", "description": "x" * RULES["body"]["max_bytes"]}
    assert_error(http("POST", items, big, access), 413, code="request_too_large")

    for char in RULES["strings"]["refused_characters"]:
        reply = http("POST", items, {"title": f"a{char}b"}, access)
        assert_error(reply, 400, "title", "validation_error")
        reply = http("PATCH", f"{base}/api/auth/me", {"full_name": f"Ada{char}"}, access)
        assert_error(reply, 400, "full_name", "validation_error")
        reply = http("POST", f"{base}/api/auth/token", {"email": f"a{char}@x.io", "password": "p"})
        assert_error(reply, 400, "email", "validation_error")


def query(params: dict) -> str:
    return urllib.parse.urlencode(params)


def walk_queries(base: str) -> None:
    """Pagination within its bounds, closed query sets, unknown parameters ignored, and the
    links of a page keep the query they came from."""
    access = register_and_login(base, unique_email("pager"), PASSWORD)["access"]
    for title in ("alpha", "bravo", "charlie"):
        assert http("POST", f"{base}/api/items", {"title": title}, access).status == 201

    def listing(**params):
        return http("GET", f"{base}/api/items?{query(params)}", token=access)

    for name, values in RULES["pagination"]["bad_values"].items():
        for value in values:
            assert_error(listing(**{name: value}), 400, name, "validation_error")
    assert_error(listing(ordering="owner"), 400, "ordering", "validation_error")
    assert_error(listing(done="maybe"), 400, "done", "validation_error")
    longest = RULES["queries"]["search_max_length"]
    assert_error(listing(search="x" * (longest + 1)), 400, "search", "validation_error")
    for params in (
        {"search": "x" * longest},
        {"color": "red"},
        {"page_size": RULES["pagination"]["page_size"]["maximum"]},
        *({"ordering": ordering} for ordering in RULES["queries"]["ordering"]),
        *({"done": done} for done in RULES["queries"]["done"]),
    ):
        assert listing(**params).status == 200, params

    first = listing(page_size=1, ordering="title", done="false", color="red").json()
    assert first["count"] == 3 and first["previous"] is None, first
    link = urllib.parse.urlsplit(first["next"])
    assert f"{link.scheme}://{link.netloc}" == base and link.path == "/api/items", first["next"]
    kept = dict(urllib.parse.parse_qsl(link.query))
    assert kept == {
        "page": "2",
        "page_size": "1",
        "ordering": "title",
        "done": "false",
        "color": "red",
    }

    past = listing(page=5, page_size=2, ordering="title")
    assert past.status == 200, past.text
    past = past.json()
    assert (past["count"], past["results"], past["next"]) == (3, [], None), past
    before = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(past["previous"]).query))
    assert before == {"page": "4", "page_size": "2", "ordering": "title"}, past["previous"]


def walk_ignored_fields(base: str, access: str) -> None:
    """Unknown and read-only fields in a body are ignored: a client may send back what it got."""
    me = http("GET", f"{base}/api/auth/me", token=access).json()
    again = http("PATCH", f"{base}/api/auth/me", me, access)
    assert again.status == 200 and again.json() == me, again.text
    moved = {"email": unique_email("moved"), "id": me["id"] + 1, "full_name": "Ada", "x": 1}
    patched = http("PATCH", f"{base}/api/auth/me", moved, access)
    assert patched.status == 200, patched.text
    assert patched.json() == {**me, "full_name": "Ada"}, patched.text

    forged = {"title": "forged", "id": 987_654_321, "created_at": "2000-01-01T00:00:00Z"}
    created = http("POST", f"{base}/api/items", {**forged, "owner": 1, "colour": "red"}, access)
    assert created.status == 201, created.text
    item = created.json()
    assert item["id"] != forged["id"] and not item["created_at"].startswith("2000"), item
    assert set(item) == set(CONTRACT["api"]["components"]["schemas"]["Item"]["properties"])
    replaced = http("PUT", f"{base}/api/items/{item['id']}", item, access)
    assert replaced.status == 200 and replaced.json()["id"] == item["id"], replaced.text


def walk_registration(base: str) -> None:
    """Emails are lowercased and unique, even under parallel sign-ups; passwords follow the
    same four rules on every stack."""
    mixed = f"Mixed-{uuid.uuid4().hex[:8]}@Example.COM"
    created = http("POST", f"{base}/api/auth/register", {"email": mixed, "password": PASSWORD})
    assert created.status == 201 and created.json()["email"] == mixed.lower(), created.text
    again = {"email": mixed.lower(), "password": PASSWORD}
    assert_error(http("POST", f"{base}/api/auth/register", again), 400, "email", "validation_error")

    local = f"marguerite.yourcenar.{uuid.uuid4().hex[:6]}"
    for password, extra in (
        ("1234567890123", {}),  # entirely numeric
        ("qwertyuiop", {}),  # a common password
        (local, {}),  # too similar to the email
        ("Hadrian-Memoirs", {"full_name": "Hadrian Memoirs"}),  # too similar to the full name
        ("short1!", {}),  # fewer than 8 characters
    ):
        body = {"email": f"{local}@example.com", "password": password, **extra}
        reply = http("POST", f"{base}/api/auth/register", body)
        assert_error(reply, 400, "password", "validation_error")
    for weak in RULES["register"]["weak_passwords"]:
        password = weak["password"].format(local=local)
        body = {"email": f"{local}@example.com", "password": password}
        reply = http("POST", f"{base}/api/auth/register", body)
        refused = assert_error(reply, 400, "password", "validation_error")
        assert refused["fields"] == {"password": [weak["message"]]}, (password, refused)

    email = unique_email("race")
    replies: list[Response] = []
    register = {"email": email, "password": PASSWORD}

    def sign_up() -> None:
        replies.append(http("POST", f"{base}/api/auth/register", register))

    threads = [
        threading.Thread(target=sign_up) for _ in range(RULES["register"]["parallel_registrations"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(reply.status for reply in replies).count(201) == 1, [r.text for r in replies]
    for reply in replies:
        if reply.status != 201:
            assert_error(reply, 400, "email", "validation_error")


def walk_deleted_user(base: str, delete_user) -> None:
    """The tokens of a user who is gone are refused as not valid, never a 500.
    `delete_user(email)` deletes that user the stack's own way."""
    email = unique_email("gone")
    tokens = register_and_login(base, email, PASSWORD)
    delete_user(email)
    refreshed = http("POST", f"{base}/api/auth/refresh", {"refresh": tokens["refresh"]})
    assert_error(refreshed, 401, code="token_not_valid")
    me = http("GET", f"{base}/api/auth/me", token=tokens["access"])
    assert_error(me, 401, code="token_not_valid")


def sqlite_user_deleter(database, table: str):
    """A delete_user for walk_edges: removes the user's row from the stack's SQLite database, as
    an admin deleting the account would; the tokens it already holds stay with the client."""

    def delete_user(email: str) -> None:
        with sqlite3.connect(database) as connection:
            connection.execute(f"DELETE FROM {table} WHERE email = ?", (email,))

    return delete_user


def walk_database_down(base: str, take_down) -> None:
    """When the database stops answering, every endpoint says so in the shape: 503
    service_unavailable, and /health its own 503 body. `take_down()` stops the database."""
    access = register_and_login(base, unique_email("outage"), PASSWORD)["access"]
    take_down()
    health = http("GET", f"{base}/health")
    assert health.status == 503, (health.status, health.text[:500])
    assert health.json() == {"status": "unavailable", "database": "unavailable"}, health.text
    for method, path, body, token in (
        ("GET", "/api/items", None, access),
        ("GET", "/api/auth/me", None, access),
        ("POST", "/api/auth/token", {"email": "a@example.com", "password": PASSWORD}, None),
        ("POST", "/api/auth/register", {"email": unique_email("late"), "password": PASSWORD}, None),
    ):
        reply = http(method, f"{base}{path}", body, token)
        assert_error(reply, 503, code="service_unavailable")


def walk_edges(base: str, delete_user=None) -> None:
    """The contract's behaviour rules; `delete_user(email)` (optional) lets the walk check the
    tokens of a deleted user."""
    access = register_and_login(base, unique_email("edges"), PASSWORD)["access"]
    item = http("POST", f"{base}/api/items", {"title": "edge"}, access)
    assert item.status == 201, item.text
    walk_paths_and_methods(base, access, item.json()["id"])
    walk_bodies(base, access)
    walk_queries(base)
    walk_ignored_fields(base, access)
    walk_registration(base)
    if delete_user is not None:
        walk_deleted_user(base, delete_user)


def walk_events_queries(core: str, access: str) -> None:
    """The hybrid core's events list keeps the query rules."""
    events = f"{core}/api/events"
    assert_error(http("GET", f"{events}?ordering=title", token=access), 400, "ordering")
    assert_error(http("GET", f"{events}?page=0", token=access), 400, "page")
    assert_error(http("GET", f"{events}/", token=access), 404, code="not_found")


def walk_realtime_edges(service: str, access: str) -> None:
    """The realtime service keeps the body rules with its own limits, and answers every error in
    the shape."""
    limits = RULES["realtime"]
    ingest = f"{service}/api/events"
    for raw in (
        '{"events": [{"name": "x", "data": {"v": NaN}}]}',
        '{"events": [{"name": "x", "data": {"v": Infinity}}]}',
        '{"events": [{"name": "x", "data": {"v": "\\ud800"}}]}',
        '{"events": [{"name": "x\\u0000", "data": {}}]}',
        '{"events": [{"name": "x", "data": {"k\\u0000": 1}}]}',
        '{"events": [{"name": "x", "data": [1]}]}',
        '{"events": ',
    ):
        assert_error(
            http("POST", ingest, raw=raw.encode(), token=access), 400, code="validation_error"
        )
    for batch in (
        [],
        [{"name": "x"}] * (limits["events"]["maximum"] + 1),
        [{"name": "n" * (limits["name"]["maxLength"] + 1)}],
        [{"name": ""}],
    ):
        reply = http("POST", ingest, {"events": batch}, access)
        assert_error(reply, 400, code="validation_error")
    # The core's limit: a full batch just under it is accepted, a body over it refused.
    most = limits["events"]["maximum"]
    padding = "x" * (RULES["body"]["max_bytes"] // most - 100)
    large = [{"name": "bulk", "data": {"pad": padding}}] * most
    accepted = http("POST", ingest, {"events": large}, access)
    assert accepted.status == 202 and accepted.json() == {"accepted": len(large)}, accepted.text
    huge = {"events": [{"name": "huge", "data": {"pad": "x" * RULES["body"]["max_bytes"]}}]}
    assert_error(http("POST", ingest, huge, access), 413, code="request_too_large")
    text = json.dumps({"events": [{"name": "x"}]}).encode()
    reply = http("POST", ingest, raw=text, content_type="text/plain", token=access)
    assert_error(reply, 415, code="unsupported_media_type")
    stream = f"{service}/api/events/stream"
    assert_error(http("GET", stream), 401, code="not_authenticated")
    assert_error(http("GET", stream, token="not.a.token"), 401, code="token_not_valid")
    assert_error(http("GET", f"{ingest}/", token=access), 404, code="not_found")
    assert_error(http("GET", f"{service}/no-such-page"), 404, code="not_found")
    get, head = http("GET", f"{service}/health"), http("HEAD", f"{service}/health")
    assert (head.status, head.body) == (get.status, b""), head


def walk(base: str, delete_user=None) -> None:
    """The whole contract: auth, items with ownership, docs, admin and health, then the edges."""
    tokens = walk_auth(base)
    walk_items(base, tokens)
    walk_docs_and_ops(base)
    walk_edges(base, delete_user)
