"""One error shape for every 4xx: {"code": ..., "detail": ..., "fields": {name: [messages]}}."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

CODES_BY_STATUS = {
    400: "validation_error",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}
NON_FIELD_ERRORS = "non_field_errors"
ERROR_OUT_REF = "#/components/schemas/ErrorOut"


class ErrorOut(BaseModel):
    """The body of every 4xx response (documented in the OpenAPI schema)."""

    code: str
    detail: str
    fields: dict[str, list[str]] = {}


class ApiError(Exception):
    """Raise from anywhere to answer with the error shape."""

    def __init__(
        self,
        status_code: int,
        code: str,
        detail: str,
        fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.body = ErrorOut(code=code, detail=detail, fields=fields or {})
        self.headers = headers


def field_error(field: str, message: str) -> ApiError:
    return ApiError(400, "validation_error", "The request is not valid.", {field: [message]})


def not_found(what: str = "Resource") -> ApiError:
    return ApiError(404, "not_found", f"{what} not found.")


def _field_name(error: dict) -> str:
    # ("body", "email") -> "email"; ("query", "page_size") -> "page_size"; ("body",) and
    # malformed JSON (("body", <character offset>)) are about the whole body.
    if error["type"] == "json_invalid":
        return NON_FIELD_ERRORS
    return ".".join(str(part) for part in error["loc"][1:]) or NON_FIELD_ERRORS


def _message(error: dict) -> str:
    # Pydantic prefixes messages from custom validators with "Value error, ".
    return str(error["msg"]).removeprefix("Value error, ")


def _respond(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body.model_dump(), error.status_code, headers=error.headers)


async def handle_api_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return _respond(error)


async def handle_validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields: dict[str, list[str]] = {}
    for problem in error.errors():
        fields.setdefault(_field_name(problem), []).append(_message(problem))
    return _respond(ApiError(400, "validation_error", "The request is not valid.", fields))


async def handle_http_error(_request: Request, error: Exception) -> JSONResponse:
    """Errors raised by routing (unknown path, wrong method) and by FastAPI itself."""
    assert isinstance(error, StarletteHTTPException)
    code = CODES_BY_STATUS.get(error.status_code, "error")
    detail = error.detail if isinstance(error.detail, str) else "The request failed."
    if error.status_code == 404:
        detail = "Not found."
    return _respond(ApiError(error.status_code, code, detail, headers=error.headers))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, handle_api_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    document_validation_errors(app)


def document_validation_errors(app: FastAPI) -> None:
    """FastAPI documents a 422 with its own body on every operation that takes input, but
    handle_validation_error answers 400 with ErrorOut: the schema says what clients get."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = generate()
            bad_request = {
                "description": "Bad Request",
                "content": {"application/json": {"schema": {"$ref": ERROR_OUT_REF}}},
            }
            for item in schema.get("paths", {}).values():
                for operation in item.values():
                    responses = operation.get("responses", {})
                    if responses.pop("422", None) is not None:
                        responses.setdefault("400", bad_request)
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            schemas.setdefault("ErrorOut", ErrorOut.model_json_schema())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # FastAPI's documented way to change the generated schema
