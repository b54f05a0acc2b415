"""One error shape for every 4xx the API returns:

    {"code": "validation_error", "detail": "A human sentence.", "fields": {"email": ["..."]}}

`fields` is {} when no single field is at fault; errors about the whole body are listed under
"non_field_errors".
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback
from rest_framework_simplejwt.exceptions import InvalidToken

# The exception classes clients can tell apart, most specific first.
CODES = [
    (InvalidToken, "token_not_valid"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.Throttled, "throttled"),
    (exceptions.ValidationError, "validation_error"),
    (exceptions.ParseError, "validation_error"),
]


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: turn any API exception into the one error shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # A bug: let Django answer 500 and log it.

    response = Response(error_body(exc), status=exc.status_code)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    set_rollback()
    return response


def error_body(exc: exceptions.APIException) -> dict:
    code = next((code for cls, code in CODES if isinstance(exc, cls)), exc.default_code)
    if isinstance(exc, exceptions.ValidationError):
        return {
            "code": code,
            "detail": "The request is not valid.",
            "fields": field_errors(exc.detail),
        }
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
