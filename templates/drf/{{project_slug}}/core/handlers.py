"""The error shape outside DRF's views: Django's own error handlers (config/urls.py names them)
and the middleware that turns a database outage into a 503 on every endpoint.

With DEBUG on (development), Django shows its debug pages for unknown non-API paths and
uncaught exceptions instead of handler404 and handler500: they help the person running it.
"""

import sys

from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions

from .exceptions import (
    BadRequest,
    RequestTooLarge,
    ServerError,
    ServiceUnavailable,
    database_unavailable,
    error_response,
)


def bad_request(request, exception=None):
    """handler400: a SuspiciousOperation, such as a Host header not in ALLOWED_HOSTS."""
    if isinstance(exception, RequestDataTooBig):  # above DATA_UPLOAD_MAX_MEMORY_SIZE
        return error_response(RequestTooLarge())
    return error_response(BadRequest())


def permission_denied(request, exception=None):
    """handler403."""
    return error_response(exceptions.PermissionDenied())


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form post (the admin's) without a valid CSRF token."""
    return error_response(exceptions.PermissionDenied(f"CSRF check failed: {reason}"))


def page_not_found(request, exception=None):
    """handler404: any path that matches no URL, a trailing slash included."""
    return error_response(exceptions.NotFound(f"No endpoint at {request.path}."))


def server_error(request):
    """handler500, called while Django handles the uncaught exception."""
    if database_unavailable(sys.exc_info()[1]):
        return error_response(ServiceUnavailable())
    return error_response(ServerError())


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 service_unavailable, in the error shape
    and in every environment, instead of a 500 (or an HTML debug page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            return error_response(ServiceUnavailable())
        return None
