"""One contract for every stack: templates/_shared/contract/contract.yml.

Each stack's OpenAPI document, built by the project's own code, must have the contract's surface
(templates/_shared/contract/surface.py says what that is), and the stacks must agree with each
other. A failure lists every difference, one line each, `where: contract X, stack Y`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from harness import DEFAULT_ANSWERS, TEMPLATE, run

sys.path.insert(0, str(TEMPLATE / "templates/_shared/contract"))
from surface import differences, part, surface  # noqa: E402

CONTRACT = yaml.safe_load((TEMPLATE / "templates/_shared/contract/contract.yml").read_text())
SLUG = "acme_analytics"  # DEFAULT_ANSWERS' project name, slugged
ACTIONS = {"put": "update", "patch": "partial_update", "delete": "destroy", "post": "create"}


def expected_operation_id(path: str, method: str, collection: bool) -> str:
    """The contract's rule: the path after /api/ with / and - as _, path parameters dropped, then
    the action (drf-spectacular's default)."""
    path = path.removeprefix("/api/").strip("/").replace("-", "_")
    words = [w for w in path.split("/") if not w.startswith("{")]
    action = ACTIONS.get(method) or ("list" if collection else "retrieve")
    return "_".join([*words, action])


def documents():
    for name in ("api", "hybrid", "realtime"):
        yield name, part(CONTRACT, name)


@pytest.mark.parametrize(("name", "document"), list(documents()), ids=lambda v: str(v)[:8])
def test_the_contract_is_consistent(name, document):
    """Every reference resolves, operationIds follow the rule, every error status is answered in
    the Error shape with a code the errors table has, and nothing documents a 422."""
    schemas = document["components"]["schemas"]
    text = json.dumps(document)
    for ref in re.findall(r'"\$ref": "#/components/schemas/(\w+)"', text):
        assert ref in schemas, ref
    statuses = {entry["status"] for entry in CONTRACT["errors"]}
    codes = [entry["code"] for entry in CONTRACT["errors"]]
    assert sorted(schemas["Error"]["properties"]["code"]["enum"]) == sorted(codes)
    seen = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            pagination = {p["name"] for p in operation.get("parameters", [])} >= {"page"}
            assert operation["operationId"] == expected_operation_id(path, method, pagination)
            assert operation["operationId"] not in seen
            seen.add(operation["operationId"])
            for status, response in operation["responses"].items():
                assert status != "422", (path, method)
                if int(status) >= 400 and path != "/health":
                    assert int(status) in statuses, (path, method, status)
                    body = response["content"]["application/json"]["schema"]
                    assert body == {"$ref": "#/components/schemas/Error"}, (path, method, status)


def openapi_of(stack: str, project: Path) -> dict:
    """The OpenAPI document the project serves at /api/openapi.json, built by its own code."""
    if stack in ("drf", "hybrid"):
        command = "uv run python manage.py spectacular --format openapi-json"
    elif stack == "fastapi":
        command = (
            "uv run python -c 'import json; from "
            f"{SLUG}.main import create_app; print(json.dumps(create_app().openapi()))'"
        )
    else:
        command = (
            "uv run python -c 'import json; from realtime.main import app; "
            "print(json.dumps(app.openapi()))'"
        )
    return json.loads(run(command, project).stdout)


SERVED = {  # stack -> (installed stack, folder in the project, contract part)
    "drf": ("drf", ".", "api"),
    "fastapi": ("fastapi", ".", "api"),
    "hybrid": ("hybrid", ".", "hybrid"),
    "realtime": ("hybrid", "services/realtime", "realtime"),
}


@pytest.fixture(scope="module")
def served(installed):
    """served(stack) -> that stack's OpenAPI document, built once per run."""
    cache: dict[str, dict] = {}

    def build(stack: str) -> dict:
        if stack not in cache:
            installed_stack, folder, _ = SERVED[stack]
            cache[stack] = openapi_of(stack, installed(installed_stack) / folder)
        return cache[stack]

    return build


def report(lines: list[str], title: str) -> str:
    return f"{title}: {len(lines)} difference(s)\n  " + "\n  ".join(lines)


@pytest.mark.slow
@pytest.mark.parametrize("stack", list(SERVED))
def test_each_stack_serves_the_contract(served, stack):
    document = served(stack)
    contract = part(CONTRACT, SERVED[stack][2])
    lines = differences(surface(contract), surface(document))
    title = contract["info"]["title"].replace("<project name>", DEFAULT_ANSWERS["project_name"])
    if document.get("info", {}).get("title") != title:
        lines.append(f"info.title: contract {title!r}, stack {document['info'].get('title')!r}")
    if lines:
        pytest.fail(report(lines, f"{stack} against contract.yml"), pytrace=False)


@pytest.mark.slow
@pytest.mark.parametrize("other", ["fastapi", "hybrid"])
def test_the_stacks_serve_the_same_api(served, other):
    """What a client of the drf stack uses works the same on the others, contract or not."""
    shared = list(CONTRACT["api"]["paths"])
    lines = differences(surface(served("drf"), shared), surface(served(other), shared))
    if lines:
        pytest.fail(report(lines, f"drf (as contract) against {other}"), pytrace=False)


@pytest.mark.parametrize("stack", ["drf", "fastapi", "hybrid"])
def test_every_readme_documents_the_contract(rendered, stack):
    """Each README's API section lists every operation the stack serves and every error code,
    from the contract, in the same words on every stack."""
    readme = (rendered(stack) / "README.md").read_text()
    parts = ["api", "hybrid_core", "realtime"] if stack == "hybrid" else ["api"]
    for name in parts:
        for path, item in CONTRACT[name]["paths"].items():
            for method, operation in item.items():
                row = f"`{method.upper()} {path}`"
                assert row in readme and operation["summary"] in readme, (stack, row)
    for error in CONTRACT["errors"]:
        assert f"| `{error['code']}` | {error['status']} |" in readme, (stack, error["code"])
