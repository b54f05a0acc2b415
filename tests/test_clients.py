"""One typed client for every stack: the drf stack, the fastapi stack and the hybrid's core
serve the same OpenAPI document, so a client generated from any of them (openapi-python-client
for Python, openapi-typescript for a frontend) is the same code and works against all three.

One production server per stack (PostgreSQL when it answers, else SQLite) serves its schema
and takes the walks; each client is generated once and each walk runs every client against
every stack.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import shutil
import subprocess
import uuid
from contextlib import ExitStack
from http import HTTPStatus
from pathlib import Path

import contract
import pytest
from generated_client import Client, generate, source_files, tree_diff
from harness import fresh_postgres_database, http, postgres_available, psql, run
from servers import drf_core, fastapi_app

pytestmark = pytest.mark.slow

STACKS = ("drf", "fastapi", "hybrid")
# Low enough that test_a_throttled_request_is_a_typed_error reaches it, high enough that the
# walks before it (about ten auth requests per client and stack) never do. One worker per
# server, so there is one counter to reach.
AUTH_RATE_LIMIT = 50
SERVER_SETTINGS = {"AUTH_RATE_LIMIT": f"{AUTH_RATE_LIMIT}/minute"}
PASSWORD = "correct-horse-battery-9"
# The operation ids of the contract: the generated function names on every stack.
OPERATIONS = {
    "auth_register_create",
    "auth_token_create",
    "auth_refresh_create",
    "auth_logout_create",
    "auth_me_retrieve",
    "auth_me_partial_update",
    # issue 13's account emails: bodies in, bare 202s and 204s out
    "auth_verify_email_create",
    "auth_verify_email_resend_create",
    "auth_password_reset_create",
    "auth_password_reset_confirm_create",
    "auth_email_change_create",
    "auth_email_change_confirm_create",
    "items_list",
    "items_create",
    "items_retrieve",
    "items_update",
    "items_partial_update",
    "items_destroy",
    "health_retrieve",
}
PAIRS = [(source, target) for source in STACKS for target in STACKS]


def database_url(stack: str, folder: Path) -> str:
    if postgres_available():
        return fresh_postgres_database(f"stackwise_clients_{stack}")
    return f"sqlite:///{folder / 'db.sqlite3'}"


@pytest.fixture(scope="module")
def live(installed, tmp_path_factory) -> dict[str, str]:
    """Each stack's production server, started once for the module; its base URL by stack."""
    with ExitStack() as servers:
        bases = {}
        for stack in STACKS:
            project = installed(stack)
            url = database_url(stack, tmp_path_factory.mktemp(f"clients-{stack}"))
            if stack == "fastapi":
                started = fastapi_app(project, url, WORKERS="1", **SERVER_SETTINGS)
            else:  # the hybrid's core is its drf project
                started = drf_core(project, url, WEB_CONCURRENCY="1", **SERVER_SETTINGS)
            bases[stack] = servers.enter_context(started)
        yield bases


def client_schema(document: dict) -> dict:
    """The part of a stack's OpenAPI document every stack shares: the hybrid core's `events`
    operations (and the components only they use) set aside, since the other stacks have no
    events; what is left must be the same document everywhere. Paths and components are put
    in one order (the document's meaning does not depend on it; generated code follows it)."""
    shared = copy.deepcopy(document)
    removed = []
    for path, item in list(shared["paths"].items()):
        events = {
            m: o for m, o in item.items() if isinstance(o, dict) and "events" in o.get("tags", ())
        }
        removed += events.values()
        kept = {m: o for m, o in item.items() if m not in events}
        if any(isinstance(operation, dict) for operation in kept.values()):
            shared["paths"][path] = kept
        else:
            del shared["paths"][path]
    schemas = shared.get("components", {}).get("schemas", {})
    for name in references(removed, schemas) - references(shared["paths"], schemas):
        del schemas[name]
    shared["paths"] = dict(sorted(shared["paths"].items()))
    if schemas:
        shared["components"]["schemas"] = dict(sorted(schemas.items()))
    return canonical(shared)


def canonical(node):
    """The document without its free text and in one order: prose (descriptions: drf takes
    them from docstrings, fastapi from its own) and the order of properties, parameters,
    `required` and `enum` lists change no name or type of a generated client, only its doc
    comments and declaration order. Everything a client's code is made of is left as the stack
    serves it."""
    if isinstance(node, list):
        return [canonical(value) for value in node]
    if not isinstance(node, dict):
        return node
    found = {
        key: canonical(value)
        for key, value in node.items()
        if not (key == "description" and isinstance(value, str))  # a property may be named so
    }
    for key in ("required", "enum"):
        if isinstance(found.get(key), list) and all(isinstance(v, str) for v in found[key]):
            found[key] = sorted(found[key])
    if isinstance(found.get("properties"), dict):
        found["properties"] = dict(sorted(found["properties"].items()))
    if isinstance(found.get("parameters"), list):
        found["parameters"] = sorted(found["parameters"], key=lambda p: (p["in"], p["name"]))
    for status, response in found.get("responses", {}).items():
        response["description"] = HTTPStatus(int(status)).phrase  # OpenAPI requires one
    return found


def references(node, schemas: dict) -> set[str]:
    """The component schemas `node` refers to, directly or through other components."""
    found: set[str] = set()
    pending = [node]
    while pending:
        names = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(pending.pop())))
        pending += [schemas[name] for name in names - found]
        found |= names
    return found


@pytest.fixture(scope="module")
def schemas(live) -> dict[str, dict]:
    """The document each server serves at /api/openapi.json, as a frontend would fetch it."""
    documents = {}
    for stack, base in live.items():
        reply = http("GET", f"{base}/api/openapi.json")
        assert reply.status == 200, reply.text
        documents[stack] = client_schema(reply.json())
    return documents


@pytest.fixture(scope="module")
def python_clients(schemas, tmp_path_factory) -> dict[str, Path]:
    """The Python client generated from each stack's document (once per stack)."""
    folder = tmp_path_factory.mktemp("python-clients")
    return {
        stack: generate(schema, folder / f"client_{stack}") for stack, schema in schemas.items()
    }


def test_every_stack_generates_the_same_python_client(python_clients):
    generated = {stack: source_files(package) for stack, package in python_clients.items()}
    for stack in STACKS[1:]:
        if generated[stack] != generated["drf"]:
            pytest.fail(tree_diff(generated["drf"], generated[stack], ("drf", stack)))
    functions = {Path(name).stem for name in generated["drf"] if name.startswith("api/")}
    assert functions - {"__init__"} == OPERATIONS


@pytest.fixture
def client(request, python_clients, schemas, live) -> Client:
    """The client generated from one stack's document, pointed at another (or the same) stack."""
    source, target = request.param
    return Client(python_clients[source], schemas[source], live[target])


def new_email() -> str:
    return f"client-{uuid.uuid4().hex[:10]}@example.com"


def sign_up(api: Client) -> tuple[str, str]:
    """Register a new user; return its email and access token."""
    email = new_email()
    registered = api.call("POST", "/api/auth/register", body={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.content
    tokens = api.call("POST", "/api/auth/token", body={"email": email, "password": PASSWORD})
    assert tokens.status_code == 200, tokens.content
    return email, tokens.parsed.access


@pytest.mark.parametrize("client", PAIRS, indirect=True, ids="-client-on-".join)
def test_a_client_walks_auth_and_items(client):
    api = client
    email = new_email()
    user = api.call("POST", "/api/auth/register", body={"email": email, "password": PASSWORD})
    assert user.status_code == 201, user.content
    assert user.parsed.email == email and user.parsed.id > 0

    pair = api.call("POST", "/api/auth/token", body={"email": email, "password": PASSWORD})
    assert pair.status_code == 200, pair.content
    access, refresh = pair.parsed.access, pair.parsed.refresh

    me = api.call("GET", "/api/auth/me", access)
    assert me.status_code == 200 and me.parsed.email == email, me.content
    renamed = api.call("PATCH", "/api/auth/me", access, body={"full_name": "Ada Client"})
    assert renamed.status_code == 200 and renamed.parsed.full_name == "Ada Client"
    # The account emails' bare answers, and their typed 400 (contract.md, "Account emails").
    resent = api.call("POST", "/api/auth/verify-email/resend", access)
    assert resent.status_code == 202 and resent.parsed is None, resent.content
    reset = api.call("POST", "/api/auth/password-reset", body={"email": new_email()})
    assert reset.status_code == 202 and reset.parsed is None, reset.content
    forged = api.call("POST", "/api/auth/verify-email", body={"token": "1:2:forged"})
    assert_typed_error(forged, 400, "validation_error", "token")

    ids = {}
    for title in ("charlie", "alpha", "bravo"):
        created = api.call("POST", "/api/items", access, body={"title": title})
        assert created.status_code == 201, created.content
        assert created.parsed.title == title and created.parsed.done is False
        ids[title] = created.parsed.id

    first = api.call("GET", "/api/items", access, page=1, page_size=2, ordering="title")
    assert first.status_code == 200, first.content
    page = first.parsed
    assert page.count == 3 and page.previous is None and "page=2" in page.next_
    assert [item.title for item in page.results] == ["alpha", "bravo"]
    second = api.call("GET", "/api/items", access, page=2, page_size=2, ordering="title")
    assert [item.title for item in second.parsed.results] == ["charlie"]

    done = api.call("PATCH", "/api/items/{id}", access, id=ids["bravo"], body={"done": True})
    assert done.status_code == 200 and done.parsed.done is True, done.content
    finished = api.call("GET", "/api/items", access, done=True)
    assert [item.id for item in finished.parsed.results] == [ids["bravo"]]

    whole = {"title": "alpha two", "description": "rewritten", "done": False}
    put = api.call("PUT", "/api/items/{id}", access, id=ids["alpha"], body=whole)
    assert put.status_code == 200 and put.parsed.description == "rewritten", put.content
    one = api.call("GET", "/api/items/{id}", access, id=ids["alpha"])
    assert one.status_code == 200 and one.parsed.title == "alpha two", one.content
    gone = api.call("DELETE", "/api/items/{id}", access, id=ids["charlie"])
    assert gone.status_code == 204, gone.content
    left = api.call("GET", "/api/items", access, ordering="-created_at")
    assert [item.title for item in left.parsed.results] == ["bravo", "alpha two"]

    rotated = api.call("POST", "/api/auth/refresh", body={"refresh": refresh})
    assert rotated.status_code == 200 and rotated.parsed.refresh != refresh, rotated.content
    new_access, new_refresh = rotated.parsed.access, rotated.parsed.refresh
    logout = api.call("POST", "/api/auth/logout", new_access, body={"refresh": new_refresh})
    assert logout.status_code == 204, logout.content


# The npm tools, installed once into a cache shared by runs (a new pin gets a new folder).
NPM_PACKAGES = ("openapi-typescript@^7.13", "typescript@~5.9", "openapi-fetch@^0.17")
NPM_CACHE = Path.home() / ".cache" / "stackwise-npm"
OFFLINE = re.compile(r"ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED|ECONNRESET|ENETUNREACH")
FRONTEND = Path(__file__).parent / "frontend" / "app.ts"
DEV_SCHEMA = "http://127.0.0.1:8000/api/openapi.json"
# `--module preserve` resolves imports as a frontend's bundler does (Vite, Next.js), with or
# without extensions, and emits ES modules that node runs as they are.
TSC = ["--strict", "--target", "es2022", "--module", "preserve", "--lib", "es2022,dom"]


@pytest.fixture(scope="session")
def npm_tools() -> Path:
    """node_modules with openapi-typescript, tsc and openapi-fetch; skips when node or npm is
    missing or the registry does not answer, fails on any other install error."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node and npm are needed for the TypeScript client and are not on PATH")
    folder = NPM_CACHE / re.sub(r"[^a-z0-9.]+", "-", "-".join(NPM_PACKAGES))
    if not (folder / "node_modules" / ".bin" / "openapi-typescript").exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text('{"private": true}\n')
        install = ["npm", "install", "--no-audit", "--no-fund", *NPM_PACKAGES]
        result = subprocess.run(install, cwd=folder, capture_output=True, text=True, timeout=300)
        if result.returncode != 0 and OFFLINE.search(result.stderr):
            pytest.skip(f"the npm registry does not answer: {result.stderr[-500:]}")
        assert result.returncode == 0, result.stderr
    return folder / "node_modules"


def readme(stack: str, installed) -> str:
    return (installed(stack) / "README.md").read_text()


def readme_generator(text: str) -> list[str]:
    """The README's `npx openapi-typescript ...` line, as words after `npx`."""
    (line,) = [line for line in text.splitlines() if line.startswith("npx openapi-typescript ")]
    words = shlex.split(line)[1:]
    assert DEV_SCHEMA in words, line
    return words


@pytest.fixture(scope="module")
def typescript_clients(npm_tools, schemas, installed, tmp_path_factory) -> dict[str, Path]:
    """A frontend folder per stack: src/api.d.ts written by the README's command from the stack's
    document (the URL swapped for the document the test fetched: the same one, sorted), once
    per stack, and the frontend program beside it, ready for tsc."""
    folders = {}
    for stack, schema in schemas.items():
        folder = tmp_path_factory.mktemp(f"typescript-{stack}")
        (folder / "openapi.json").write_text(json.dumps(schema, indent=2))
        (folder / "package.json").write_text('{"type": "module"}\n')
        (folder / "node_modules").symlink_to(npm_tools)
        (folder / "src").mkdir()
        shutil.copy(FRONTEND, folder / "src" / "app.ts")
        words = readme_generator(readme(stack, installed))
        words = ["openapi.json" if word == DEV_SCHEMA else word for word in words]
        run([str(npm_tools / ".bin" / words[0]), *words[1:]], folder)
        folders[stack] = folder
    return folders


def test_every_stack_generates_the_same_typescript_client(typescript_clients):
    declarations = {s: (f / "src" / "api.d.ts").read_text() for s, f in typescript_clients.items()}
    for stack in STACKS[1:]:
        if declarations[stack] != declarations["drf"]:
            pair = {"api.d.ts": declarations["drf"]}, {"api.d.ts": declarations[stack]}
            pytest.fail(tree_diff(*pair, ("drf", stack)))


@pytest.mark.parametrize("source", STACKS)
def test_a_typescript_frontend_compiles_strict_and_runs_on_every_stack(
    source, typescript_clients, npm_tools, live
):
    folder = typescript_clients[source]
    run([str(npm_tools / ".bin" / "tsc"), *TSC, "src/app.ts"], folder)
    program = (
        "import { firstItems } from './src/app.js';"
        "const [base, email, password] = process.argv.slice(1);"
        "console.log(JSON.stringify(await firstItems(base, email, password)));"
    )
    for target, base in live.items():
        node = ["node", "--input-type=module", "-e", program, base, new_email(), PASSWORD]
        result = json.loads(run(node, folder).stdout)
        assert result == {"count": 2, "titles": ["call the API", "write the landing page"]}, target


@pytest.mark.parametrize("stack", STACKS)
def test_the_readme_typescript_example_compiles_strict(stack, typescript_clients, installed):
    """The README's example, with the email and password a form would give it."""
    (example,) = re.findall(r"```ts\n(.*?)```", readme(stack, installed), re.DOTALL)
    inputs = "declare const email: string;\ndeclare const password: string;\n"
    folder = typescript_clients[stack]
    (folder / "src" / "readme.ts").write_text(f"{inputs}{example}export {{}};\n")
    run([str(folder / "node_modules" / ".bin" / "tsc"), *TSC, "--noEmit", "src/readme.ts"], folder)


def assert_typed_error(reply, status: int, code: str, field: str | None = None) -> None:
    """The reply is the documented Error model, parsed: code, detail and fields."""
    assert reply.status_code == status, (reply.status_code, reply.content)
    error = reply.parsed
    assert hasattr(error, "to_dict"), f"{status} is not a documented, typed reply: {reply.content}"
    body = error.to_dict()
    assert set(body) == {"code", "detail", "fields"}, body
    assert body["code"] == code and body["detail"], body
    if field is not None:
        assert body["fields"].get(field), body


@pytest.mark.parametrize("client", PAIRS, indirect=True, ids="-client-on-".join)
def test_errors_are_typed_replies(client):
    api = client
    email, access = sign_up(api)
    again = api.call("POST", "/api/auth/register", body={"email": email, "password": PASSWORD})
    assert_typed_error(again, 400, "validation_error", "email")
    wrong = api.call("POST", "/api/auth/token", body={"email": email, "password": "not-it-42"})
    assert_typed_error(wrong, 401, "authentication_failed")
    assert_typed_error(api.call("GET", "/api/items", "not.a.token"), 401, "token_not_valid")
    item = api.call("POST", "/api/items", access, body={"title": "short-lived"}).parsed
    assert api.call("DELETE", "/api/items/{id}", access, id=item.id).status_code == 204
    missing = api.call("GET", "/api/items/{id}", access, id=item.id)
    assert_typed_error(missing, 404, "not_found")


@pytest.mark.parametrize("client", PAIRS, indirect=True, ids="-client-on-".join)
def test_a_throttled_request_is_a_typed_error(client):
    """Runs after the walks above: it spends the server's auth budget for the minute. A refresh
    with a junk token is refused fast (no password hashing); twice the limit, plus one, reaches
    429 even when a fixed window starts over halfway."""
    for _ in range(2 * AUTH_RATE_LIMIT + 1):
        reply = client.call("POST", "/api/auth/refresh", body={"refresh": "junk"})
        if reply.status_code == 429:
            break
    assert_typed_error(reply, 429, "throttled")


def test_a_token_from_one_stack_is_accepted_by_another_given_the_same_key(production):
    """One claim set (simplejwt's: token_type, exp, iat, jti, user_id as a string): drf and
    fastapi given the same signing key accept each other's tokens for the same user id. The
    session's servers (conftest's `production`) share one key; each database's next user id is
    set to the same number first, so the same person gets the same id on both."""
    drf, fastapi = production("drf"), production("fastapi")
    sequences = {drf.database_url: "users_user", fastapi.database_url: "users"}
    serial = "pg_get_serial_sequence('{}', 'id')"
    taken = [int(psql(url, f"SELECT nextval({serial.format(t)})")) for url, t in sequences.items()]
    for url, table in sequences.items():
        psql(url, f"SELECT setval({serial.format(table)}, {max(taken) + 1}, false)")
    email = new_email()
    tokens = {
        base: contract.register_and_login(base, email, PASSWORD)
        for base in (drf.base, fastapi.base)
    }
    for issuer, verifier in ((drf.base, fastapi.base), (fastapi.base, drf.base)):
        me = http("GET", f"{verifier}/api/auth/me", token=tokens[issuer]["access"])
        assert me.status == 200 and me.json()["email"] == email, (issuer, verifier, me.text)
        refreshed = http(
            "POST", f"{verifier}/api/auth/refresh", {"refresh": tokens[issuer]["refresh"]}
        )
        assert refreshed.status == 200, (issuer, verifier, refreshed.text)
