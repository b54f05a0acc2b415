"""One error shape from every layer: {"code", "detail", "fields": {name: [messages]}}.

Routes raise ApiError; the handlers below turn FastAPI's and Starlette's own errors (validation,
unknown path, wrong method), an unreachable database and any unexpected exception into the same
shape, and error_responses() documents them in the OpenAPI schema."""

import logging
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

ErrorCode = Literal[
    "validation_error",
    "not_authenticated",
    "authentication_failed",
    "token_not_valid",
    "permission_denied",
    "not_found",
    "method_not_allowed",
    "request_too_large",
    "unsupported_media_type",
    "throttled",
    "service_unavailable",
    "server_error",
]
CODES_BY_STATUS: dict[int, ErrorCode] = {
    400: "validation_error",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "service_unavailable",
}
DESCRIPTIONS = {
    400: "The request is not valid.",
    401: "Authentication credentials are missing or not valid.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "The request body is too large.",
    415: "Unsupported media type: send application/json.",
    429: "Too many requests.",
    500: "A server error occurred.",
    503: "The service is unavailable: the database does not answer.",
}
NON_FIELD_ERRORS = "non_field_errors"
ERROR_REF = "#/components/schemas/Error"
# The errors a database that is down or unreachable raises (asyncpg raises OSError itself).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, OSError, TimeoutError)


class Error(BaseModel):
    """The body of every error response: a code from a closed set, a message for people, and
    the messages about each field at fault (`non_field_errors` for the request as a whole)."""

    code: ErrorCode
    detail: str
    fields: dict[str, list[str]]


class ApiError(Exception):
    """Raise from anywhere to answer with the error shape."""

    def __init__(
        self,
        status_code: int,
        code: ErrorCode,
        detail: str,
        fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        # Not validated again: answering an error must never raise one (the type checker and
        # the schema hold `code` to ErrorCode).
        self.body = Error.model_construct(code=code, detail=detail, fields=fields or {})
        self.headers = headers


def field_error(field: str, message: str) -> ApiError:
    return ApiError(400, "validation_error", DESCRIPTIONS[400], {field: [message]})


def not_found(what: str = "Resource") -> ApiError:
    return ApiError(404, "not_found", f"{what} not found.")


def error_response(
    status_code: int, detail: str | None = None, **fields: list[str]
) -> JSONResponse:
    """The error shape as a response, for code that answers before routing (middleware)."""
    detail = detail or DESCRIPTIONS[status_code]
    return respond(ApiError(status_code, CODES_BY_STATUS[status_code], detail, fields))


def error_responses(*statuses: int) -> dict[int | str, dict]:
    """The `responses=` of a route: each status it can answer with, in the error shape."""
    return {status: {"model": Error, "description": DESCRIPTIONS[status]} for status in statuses}


def _field_name(error: dict) -> str:
    # ("body", "email") -> "email"; ("query", "page_size") -> "page_size"; ("body",) and
    # malformed JSON (("body", <character offset>)) are about the whole body.
    if error["type"] == "json_invalid":
        return NON_FIELD_ERRORS
    return ".".join(str(part) for part in error["loc"][1:]) or NON_FIELD_ERRORS


def _message(error: dict) -> str:
    # Pydantic prefixes messages from custom validators with "Value error, ".
    return str(error["msg"]).removeprefix("Value error, ")


def respond(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body.model_dump(), error.status_code, headers=error.headers)


async def handle_api_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return respond(error)


async def handle_validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = error.errors()
    # A path that does not parse (/api/items/abc, /0, a number too large) names no resource.
    if any(problem["loc"][0] == "path" for problem in problems):
        return error_response(404)
    fields: dict[str, list[str]] = {}
    for problem in problems:
        fields.setdefault(_field_name(problem), []).append(_message(problem))
    return respond(ApiError(400, "validation_error", DESCRIPTIONS[400], fields))


def _same_path(template: str, path: str) -> bool:
    """/api/items/{id} and /api/items/7: the same segments, a parameter matching any one."""
    expected, actual = template.strip("/").split("/"), path.strip("/").split("/")
    if len(expected) != len(actual):
        return False
    pairs = zip(expected, actual, strict=True)
    return all(want == got or (want.startswith("{") and got) for want, got in pairs)


def allowed_methods(request: Request) -> str | None:
    """The methods the schema documents for this path (FastAPI routes hold one method each, and
    Starlette's 405 names only the first route's); HEAD goes with GET (core/http.py)."""
    for template, item in request.app.openapi().get("paths", {}).items():
        if _same_path(template, request.url.path):
            methods = {method.upper() for method in item}
            return ", ".join(sorted(methods | ({"HEAD"} if "GET" in methods else set())))
    return None  # an undocumented path (the docs pages): Starlette's own header


async def handle_http_error(request: Request, error: Exception) -> JSONResponse:
    """Errors raised by routing (unknown path, wrong method) and by FastAPI itself."""
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code if error.status_code in CODES_BY_STATUS else 400
    detail = error.detail if isinstance(error.detail, str) else DESCRIPTIONS[status]
    headers = dict(error.headers or {})
    if status == 404:
        detail = DESCRIPTIONS[404]
    if status == 405:
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
    return respond(ApiError(status, CODES_BY_STATUS[status], detail, headers=headers))


async def handle_database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    logger.warning("The database is unavailable: %s", error)
    return error_response(503)


async def handle_server_error(_request: Request, _error: Exception) -> JSONResponse:
    # Starlette still logs the exception and its traceback; the client gets the shape.
    return error_response(500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, handle_api_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, handle_database_unavailable)
    app.add_exception_handler(Exception, handle_server_error)
    document_validation_errors(app)


def document_validation_errors(app: FastAPI) -> None:
    """FastAPI documents a 422 with its own body on every operation that takes input, but
    handle_validation_error answers 400 with Error: the schema says what clients get."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = generate()
            for item in schema.get("paths", {}).values():
                for operation in item.values():
                    responses = operation.get("responses", {})
                    # A path parameter that does not parse is a 404 (handle_validation_error).
                    takes_input = "requestBody" in operation or any(
                        parameter["in"] != "path" for parameter in operation.get("parameters", [])
                    )
                    if responses.pop("422", None) is not None and takes_input:
                        responses.setdefault(
                            "400",
                            {
                                "description": DESCRIPTIONS[400],
                                "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
                            },
                        )
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            schemas.setdefault("Error", Error.model_json_schema())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # FastAPI's documented way to change the generated schema
