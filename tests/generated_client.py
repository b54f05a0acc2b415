"""Generate a Python client from an OpenAPI document and call it by method and path.

The walk in test_clients.py names operations the way the API docs do (`POST /api/auth/token`),
not by generated function names, so one walk drives clients whose names still differ between
stacks; test_clients.py asserts separately that the generated code is identical everywhere.
"""

from __future__ import annotations

import difflib
import enum
import importlib
import json
import re
import sys
import typing
from pathlib import Path
from types import ModuleType

from harness import run
from openapi_python_client.utils import snake_case

PARAMETER = re.compile(r"\{[^}]+\}")
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


def generate(schema: dict, package: Path) -> Path:
    """Write `package` (a folder named like an importable module) from `schema`; any warning
    from the generator fails, so nothing the schema describes is silently left out."""
    document = package.with_suffix(".json")
    document.write_text(json.dumps(schema, indent=2))
    run(
        [str(GENERATOR), "generate", "--path", str(document), "--output-path", str(package)]
        + ["--meta", "none", "--fail-on-warning"],
        package.parent,
    )
    return package


def source_files(package: Path) -> dict[str, str]:
    """Every generated source file by its path inside the package."""
    return {
        str(path.relative_to(package)): path.read_text()
        for path in sorted(package.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def tree_diff(left: dict[str, str], right: dict[str, str], names: tuple[str, str]) -> str:
    """A readable account of how two generated packages differ: files only in one, then a
    unified diff of each file both have, cut short when long."""
    only_left = sorted(set(left) - set(right))
    only_right = sorted(set(right) - set(left))
    lines = [f"only in {names[0]}: {only_left}", f"only in {names[1]}: {only_right}"]
    for name in sorted(set(left) & set(right)):
        lines += difflib.unified_diff(
            left[name].splitlines(),
            right[name].splitlines(),
            f"{names[0]}/{name}",
            f"{names[1]}/{name}",
            lineterm="",
        )
    if len(lines) > 300:
        lines = lines[:300] + [f"... {len(lines) - 300} more lines"]
    return "\n".join(lines)


class Client:
    """A generated client package bound to a server, called by method and path."""

    def __init__(self, package: Path, schema: dict, base_url: str) -> None:
        sys.path.insert(0, str(package.parent))
        try:
            self.package = importlib.import_module(package.name)
        finally:
            sys.path.remove(str(package.parent))
        self.folder = package
        self.schema = schema
        self.base_url = base_url

    def operation(self, method: str, path: str) -> tuple[ModuleType, dict[str, str]]:
        """The generated module for `METHOD path` and how this document names path params."""
        shape = PARAMETER.sub("{}", path)
        for candidate, item in self.schema["paths"].items():
            if PARAMETER.sub("{}", candidate) == shape and method.lower() in item:
                operation_id = item[method.lower()]["operationId"]
                (module,) = self.folder.glob(f"api/*/{snake_case(operation_id)}.py")
                name = f"{self.package.__name__}.api.{module.parent.name}.{module.stem}"
                renamed = zip(PARAMETER.findall(path), PARAMETER.findall(candidate), strict=True)
                return importlib.import_module(name), {a[1:-1]: b[1:-1] for a, b in renamed}
        raise AssertionError(
            f"{method} {path} is not in the schema: {sorted(self.schema['paths'])}"
        )

    def call(self, method: str, path: str, token: str | None = None, body=None, **params):
        """Call the operation with the generated function; params are path and query values
        (enum-typed ones given as their string), body a dict turned into the request model.
        Returns the generated Response: status_code, parsed (a typed model), content."""
        module, renamed = self.operation(method, path)
        hints = typing.get_type_hints(module.sync_detailed)
        arguments = {}
        for name, value in params.items():
            argument = snake_case(renamed.get(name, name))
            arguments[argument] = typed(hints[argument], value)
        if body is not None:
            arguments["body"] = model_class(hints["body"]).from_dict(body)
        if token is None:
            client = self.package.Client(base_url=self.base_url)
        else:
            client = self.package.AuthenticatedClient(base_url=self.base_url, token=token)
        return module.sync_detailed(client=client, **arguments)


def members(annotation) -> tuple:
    return typing.get_args(annotation) or (annotation,)


def typed(annotation, value):
    """A query value as the generated function wants it: enums as their member."""
    for member in members(annotation):
        if isinstance(member, type) and issubclass(member, enum.Enum):
            return member(value)
    return value


def model_class(annotation) -> type:
    """The request model among a body annotation's members (it may be a union with Unset)."""
    (model,) = [m for m in members(annotation) if hasattr(m, "from_dict")]
    return model
