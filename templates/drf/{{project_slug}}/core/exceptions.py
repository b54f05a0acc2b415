"""One error shape for every error the API returns:

    {"code": "validation_error", "detail": "A human sentence.", "fields": {"email": ["..."]}}

`fields` is {} when no single field is at fault; errors about the whole body are listed under
"non_field_errors". `CODES` is the closed list of codes (the schema's `Error.code` enum).
"""

import kombu.exceptions
import redis
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import InvalidToken


class BadRequest(exceptions.APIException):
    """A 400 about the request as a whole (a bad Host header, say), not about a field."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request is not valid."
    default_code = "validation_error"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is unavailable: its database does not answer. Retry later."
    default_code = "service_unavailable"


class ServerError(exceptions.APIException):
    default_detail = "The server failed to answer; the error is logged."
    default_code = "server_error"


# The exception classes clients can tell apart, most specific first.
CODES = [
    (InvalidToken, "token_not_valid"),
    (exceptions.ValidationError, "validation_error"),
    (exceptions.ParseError, "validation_error"),
    (BadRequest, "validation_error"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (RequestTooLarge, "request_too_large"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
    (ServiceUnavailable, "service_unavailable"),
    (ServerError, "server_error"),
]


# The cache's client and the task queue's (kombu wraps the broker's connection errors).
REDIS_UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, kombu.exceptions.OperationalError)


def database_unavailable(exc: BaseException | None) -> bool:
    """The database refused or lost the connection (or is locked or not migrated), or Redis
    (REDIS_URL: the cache that counts rate limits, the task queue) does not answer: a 503 the
    client may retry, not a bug."""
    return isinstance(exc, (OperationalError, InterfaceError, *REDIS_UNAVAILABLE))


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: turn any API exception into the one error shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        # A database error reaches DatabaseUnavailableMiddleware; anything else is a bug: let
        # Django log it and answer 500 (handler500).
        return None

    # Imported here, not above: importing rest_framework.views loads the parser classes, and the
    # project's parser imports this module.
    from rest_framework.views import set_rollback

    response = Response(error_body(exc), status=exc.status_code)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    set_rollback()
    return response


def error_response(exc: exceptions.APIException) -> JsonResponse:
    """The error shape outside DRF's views: Django's handlers and middleware."""
    return JsonResponse(error_body(exc), status=exc.status_code)


def error_body(exc: exceptions.APIException) -> dict:
    code = next((code for cls, code in CODES if isinstance(exc, cls)), exc.default_code)
    if isinstance(exc, exceptions.ValidationError):
        return {
            "code": code,
            "detail": "The request is not valid.",
            "fields": field_errors(exc.detail),
        }
    if isinstance(exc, exceptions.ParseError):  # the body as a whole is at fault
        return {"code": code, "detail": sentence(exc.detail), "fields": field_errors([exc.detail])}
    return {"code": code, "detail": sentence(exc.detail), "fields": {}}


def field_errors(detail) -> dict[str, list[str]]:
    """{"field": ["message", ...]}; a bare list of errors belongs to no field."""
    if not isinstance(detail, dict):
        return {"non_field_errors": flatten(detail)}
    return {field: flatten(errors) for field, errors in detail.items()}


def flatten(errors) -> list[str]:
    """Nested serializer errors, flattened to the messages a person reads."""
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in flatten(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in flatten(value)]
    return [str(errors)]


def sentence(detail) -> str:
    """simplejwt puts a dict in `detail` ({"detail": ..., "messages": [...]}); keep its sentence."""
    if isinstance(detail, dict):
        detail = detail.get("detail", next(iter(detail.values()), ""))
    if isinstance(detail, list):
        detail = detail[0] if detail else ""
    return str(detail) or "The request failed."
