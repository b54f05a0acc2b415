"""The OpenAPI surface every stack shares: drf-spectacular's operationId rule, applied here.

The path after /api/ (or the path itself, as for /health), "/" -> "_", path parameters dropped,
then the action: list (GET of a collection), retrieve (any other GET), create (POST), update
(PUT), partial_update (PATCH), destroy (DELETE). GET /api/items -> items_list,
PATCH /api/items/{id} -> items_partial_update, GET /health -> health_retrieve."""

from typing import get_origin, get_type_hints

from fastapi import FastAPI
from fastapi.routing import APIRoute

ACTIONS = {"POST": "create", "PUT": "update", "PATCH": "partial_update", "DELETE": "destroy"}


def _is_collection(route: APIRoute) -> bool:
    """A GET answering a list, or a page of one (a model with `results`)."""
    model = get_type_hints(route.endpoint).get("return")  # FastAPI sets response_model later
    return get_origin(model) is list or "results" in getattr(model, "model_fields", {})


def operation_id(route: APIRoute) -> str:
    """FastAPI's generate_unique_id_function: one operationId per route (one method each)."""
    (method,) = route.methods
    path = route.path_format.removeprefix("/api/").strip("/")
    # /api/auth/verify-email -> auth_verify_email_...: hyphens become underscores, as in DRF.
    words = [part for part in path.split("/") if part and not part.startswith("{")]
    parts = [word.replace("-", "_") for word in words]
    action = ACTIONS.get(method) or ("list" if _is_collection(route) else "retrieve")
    return "_".join([*parts, action])


def _drop_titles(schema: dict) -> None:
    """Pydantic titles every model, property and parameter ("Full Name"); the contract's schema
    has none, and client generators name types after them."""
    schema.pop("title", None)
    for nested in schema.get("properties", {}).values():
        _drop_titles(nested)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _drop_titles(schema[key])
    for option in schema.get("anyOf", []):
        _drop_titles(option)


def without_titles(app: FastAPI) -> None:
    """Wraps app.openapi (FastAPI's documented way to change the generated schema)."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = generate()
            for component in schema.get("components", {}).get("schemas", {}).values():
                _drop_titles(component)
            for item in schema.get("paths", {}).values():
                for operation in item.values():
                    for parameter in operation.get("parameters", []):
                        _drop_titles(parameter.get("schema", {}))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
