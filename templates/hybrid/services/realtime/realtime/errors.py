"""One error shape for every 4xx, the same as the core's:
{"code": "...", "detail": "...", "fields": {"<field>": ["<message>", ...]}}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

STATUS_CODES = {
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, fields: dict | None = None):
        self.status, self.code, self.detail, self.fields = status, code, detail, fields or {}


def error_response(
    status: int, code: str, detail: str, fields: dict | None = None, headers: dict | None = None
) -> JSONResponse:
    body = {"code": code, "detail": detail, "fields": fields or {}}
    return JSONResponse(body, status_code=status, headers=headers)


def field_name(location: tuple) -> str:
    """("body", "events", 0, "name") -> "events.0.name"; the body itself is non_field_errors."""
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "non_field_errors"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return error_response(error.status, error.code, error.detail, error.fields, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        fields: dict[str, list[str]] = {}
        for problem in error.errors():
            fields.setdefault(field_name(tuple(problem["loc"])), []).append(problem["msg"])
        return error_response(400, "validation_error", "The request is not valid.", fields)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        code = STATUS_CODES.get(error.status_code, "error")
        return error_response(error.status_code, code, str(error.detail), headers=error.headers)
