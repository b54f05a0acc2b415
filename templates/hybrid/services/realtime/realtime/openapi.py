"""The service's OpenAPI document as the contract writes it: every error it sends documented with
the `Error` schema, and nothing it never sends."""

from __future__ import annotations

import json
from typing import get_args

from fastapi import FastAPI

from realtime.errors import ErrorCode

ERROR_REF = "#/components/schemas/Error"
ERROR = {
    "description": "An error, in the error shape",
    "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
}
ERROR_CODES = list(get_args(ErrorCode))  # the error codes every stack shares
ERROR_SCHEMA = {
    "type": "object",
    "description": "The body of every error response",
    "properties": {
        "code": {"type": "string", "enum": ERROR_CODES},
        "detail": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "detail", "fields"],
}


def install_contract_schema(app: FastAPI) -> None:
    """Finish the generated document: the contract's title and Error component, and the shared
    error module's own error schema dropped once nothing refers to it. Call it after
    install_error_handlers, whose document it finishes; applying it twice changes nothing."""
    generate = app.openapi

    def openapi() -> dict:
        schema = generate()
        schema["info"]["title"] = f"{app.title} API"
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["Error"] = ERROR_SCHEMA
        for name in list(schemas):
            if name != "Error" and f'"#/components/schemas/{name}"' not in json.dumps(schema):
                del schemas[name]
        return schema

    app.openapi = openapi
