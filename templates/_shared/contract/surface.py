"""The part of an OpenAPI document that the API contract fixes, in one canonical form.

Two documents describe the same API when their surfaces are equal. The surface keeps what a
client depends on (paths, methods, operationIds, summaries, tags, parameters, request and response
bodies per status and media type, component names and shapes with required, readOnly, writeOnly,
enum, format, bounds and defaults, security) and drops what is presentation (descriptions, titles,
examples, key and enum order, and equivalent spellings of the same schema: `nullable: true`,
`type: [X, "null"]` and `anyOf: [X, {type: null}]` are one form here).

Pure Python with no dependency, so any project and the template's own tests can use it.
"""

from __future__ import annotations

import json

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Words of a schema that only present it, never change what it accepts or returns.
PRESENTATION = {"description", "title", "example", "examples", "externalDocs", "summary"}
# Keywords whose value is a schema, or a list or map of schemas.
SUBSCHEMA = {"items", "additionalProperties", "not", "contains", "propertyNames"}
SUBSCHEMAS = {"allOf", "anyOf", "oneOf", "prefixItems"}
SCHEMA_MAPS = {"properties", "patternProperties", "$defs"}
REF = "#/components/schemas/"


def schema(node):
    """One schema in canonical form."""
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in PRESENTATION or key.startswith("x-"):
            continue
        if key == "$ref":
            out[key] = value.removeprefix(REF)
        elif key in SUBSCHEMA:
            out[key] = schema(value)
        elif key in SUBSCHEMAS:
            out[key] = [schema(item) for item in value]
        elif key in SCHEMA_MAPS:
            out[key] = {name: schema(item) for name, item in value.items()}
        else:
            out[key] = value
    return simplify(out)


def simplify(node: dict) -> dict:
    # Defaults that say nothing: an object takes any extra property unless told otherwise.
    for key, default in (("readOnly", False), ("writeOnly", False), ("deprecated", False)):
        if node.get(key) is default:
            del node[key]
    if node.get("additionalProperties") in (True, {}):
        del node["additionalProperties"]
    if node.get("nullable") is True:  # OpenAPI 3.0's spelling
        del node["nullable"]
        node = with_null(node)
    node.pop("nullable", None)
    for combiner in ("anyOf", "oneOf"):
        options = node.get(combiner)
        if options and {"type": "null"} in options:
            rest = [option for option in options if option != {"type": "null"}]
            if len(rest) == 1 and "type" in rest[0]:
                del node[combiner]
                node = with_null({**rest[0], **node})
    # allOf with one member is how generators attach readOnly or a description to a $ref.
    if len(node.get("allOf", [])) == 1:
        node = {**node.pop("allOf")[0], **node}
    if isinstance(node.get("type"), list):
        types = sorted(set(node["type"]))
        node["type"] = types[0] if len(types) == 1 else types
    if "required" in node:
        node["required"] = sorted(node["required"])
        if not node["required"]:
            del node["required"]
    if "enum" in node:
        node["enum"] = sorted(node["enum"], key=json.dumps)
    return node


def with_null(node: dict) -> dict:
    types = node.get("type")
    if types is None:
        return {"anyOf": [node, {"type": "null"}]}
    types = types if isinstance(types, list) else [types]
    return {**node, "type": sorted({*types, "null"})}


def parameter(node: dict) -> tuple[str, dict]:
    where = node["in"]
    shape = {"required": bool(node.get("required", where == "path"))}
    shape["schema"] = schema(node.get("schema", {}))
    # A query string cannot say null: an optional parameter documented as nullable is the same.
    types = shape["schema"].get("type")
    if isinstance(types, list) and "null" in types:
        rest = [kind for kind in types if kind != "null"]
        shape["schema"]["type"] = rest[0] if len(rest) == 1 else rest
    return f"{where} {node['name']}", shape


def content(node: dict | None) -> dict:
    return {media: schema(item.get("schema", {})) for media, item in (node or {}).items()}


def security(requirements: list | None) -> list:
    """Each requirement as the sorted names of its schemes; [] when no credential is needed."""
    out = []
    for requirement in requirements or []:
        if requirement:
            out.append(sorted(requirement))
    return sorted(out)


def operation(node: dict, document: dict) -> dict:
    shape = {
        "operationId": node.get("operationId"),
        "summary": node.get("summary"),
        "tags": sorted(node.get("tags", [])),
        "parameters": dict(parameter(item) for item in node.get("parameters", [])),
        "responses": {
            str(status): content(response.get("content"))
            for status, response in node.get("responses", {}).items()
        },
        "security": security(node.get("security", document.get("security"))),
    }
    body = node.get("requestBody")
    if body is not None:
        shape["requestBody"] = {
            "required": bool(body.get("required", False)),
            "content": content(body.get("content")),
        }
    return shape


def references(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(references(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(references(value) for value in node))
    return set()


def surface(document: dict, paths=None) -> dict:
    """The canonical surface of an OpenAPI document: every path (or only `paths`), and the
    components and security schemes those paths use."""
    chosen = document.get("paths", {})
    if paths is not None:
        chosen = {path: item for path, item in chosen.items() if path in set(paths)}
    operations = {
        path: {method: operation(item[method], document) for method in METHODS if method in item}
        for path, item in chosen.items()
    }
    components = document.get("components", {})
    all_schemas = {name: schema(item) for name, item in components.get("schemas", {}).items()}
    used, todo = set(), references(operations)
    while todo:
        name = todo.pop()
        used.add(name)
        todo |= references(all_schemas.get(name, {})) - used
    schemes = components.get("securitySchemes", {})
    used_schemes = {
        name for item in operations.values() for op in item.values() for name in op_schemes(op)
    }
    return {
        "openapi": document.get("openapi"),
        "info.version": document.get("info", {}).get("version"),
        "paths": operations,
        "components.schemas": {name: all_schemas.get(name) for name in sorted(used)},
        "components.securitySchemes": {
            name: {k: v for k, v in schemes.get(name, {}).items() if k not in PRESENTATION}
            for name in sorted(used_schemes)
        },
    }


def op_schemes(shape: dict) -> set[str]:
    return {name for requirement in shape["security"] for name in requirement}


def part(contract: dict, name: str) -> dict:
    """One OpenAPI document of the contract: "api" (drf, fastapi), "hybrid" (the hybrid's core:
    api plus hybrid_core) or "realtime" (the hybrid's service)."""
    if name != "hybrid":
        return contract[name]
    api, extra = contract["api"], contract["hybrid_core"]
    components = dict(api["components"])
    components["schemas"] = {**components["schemas"], **extra["components"]["schemas"]}
    return {**api, "paths": {**api["paths"], **extra["paths"]}, "components": components}


def differences(expected, actual, where: str = "") -> list[str]:
    """Every place two surfaces differ, one line each: `where: contract X, stack Y`."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines = []
        for key in sorted(set(expected) | set(actual), key=str):
            here = f"{where}.{key}" if where else str(key)
            if key not in actual:
                lines.append(f"{here}: missing (contract: {brief(expected[key])})")
            elif key not in expected:
                lines.append(f"{here}: not in the contract (stack: {brief(actual[key])})")
            else:
                lines += differences(expected[key], actual[key], here)
        return lines
    if expected != actual:
        return [f"{where}: contract {brief(expected)}, stack {brief(actual)}"]
    return []


def brief(value) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."
