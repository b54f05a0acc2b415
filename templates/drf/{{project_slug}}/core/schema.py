"""The OpenAPI schema's conventions, applied to every operation in one place:

- each error an operation can answer is documented, with the one `Error` component, and no
  other (an error that is never sent is not documented);
- the bearer token scheme is named `bearerAuth`; operations that need no token have no
  `security` (drf-spectacular would write an empty requirement for them);
- path ids are int64 from 1, and so is any field stored in a 64-bit integer column;
- a response lists every field it sends as required (it always sends them all), except those
  its serializer names in `sometimes_sent` (Health's redis: only when REDIS_URL is set);
- defaults only in create and replace bodies;
- enums stay inline, without drf-spectacular's internal `x-spec-enum-id`.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular import openapi
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.plumbing import is_patched_serializer
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework_simplejwt.views import TokenViewBase

from .authentication import JWTAuthentication
from .exceptions import CODES

ERRORS = {
    400: "The request is not valid: `fields` says what to fix.",
    401: "No token, or the credentials or token are not valid.",
    404: "Not found.",
    413: "The request body is larger than the server accepts.",
    415: "The request body is not JSON.",
    429: "Too many requests: retry after the seconds in Retry-After.",
    503: "The database is unavailable: retry later.",
}


class ErrorSerializer(serializers.Serializer):
    """Every error: a code to branch on, a sentence for people, and the fields at fault."""

    code = serializers.ChoiceField(choices=list(dict.fromkeys(code for _, code in CODES)))
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages by field name; "non_field_errors" for the request as a whole.',
    )


class BearerAuthScheme(SimpleJWTScheme):
    target_class = JWTAuthentication
    name = "bearerAuth"
    priority = 1


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        security = [requirement for requirement in operation.pop("security", []) if requirement]
        if security:
            operation["security"] = security
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                parameter["schema"] = {"type": "integer", "format": "int64", "minimum": 1}
        responses = operation["responses"]
        for status in self.error_statuses(operation):
            responses.setdefault(
                str(status),
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, ERRORS[status]), str(status)
                ),
            )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response":
            properties = schema.get("properties", {})
            sometimes = getattr(serializer, "sometimes_sent", ())
            schema["required"] = sorted(
                name
                for name, field in properties.items()
                if not field.get("writeOnly") and name not in sometimes
            )
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(schema, dict):
            schema.pop("x-spec-enum-id", None)
            if isinstance(field, serializers.IntegerField) and stored_in_64_bits(field):
                schema["format"] = "int64"
        return schema

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        # A default is what a create or a replace (PUT) writes for a missing field; a response
        # and a partial update (PATCH, where missing means unchanged) have none.
        if direction == "response" or is_patched_serializer(field.parent, direction):
            meta.pop("default", None)
        return meta

    def error_statuses(self, operation) -> list[int]:
        """The errors this operation answers, from what it takes and how it is guarded."""
        body = "requestBody" in operation
        where = {parameter["in"] for parameter in operation.get("parameters", [])}
        statuses = [503]
        if body or "query" in where:
            statuses.append(400)
        # simplejwt's views check credentials or a token given in the body.
        if "security" in operation or isinstance(self.view, TokenViewBase):
            statuses.append(401)
        if "path" in where:
            statuses.append(404)
        if body:
            statuses += [413, 415]
        if self.view.get_throttles():
            statuses.append(429)
        return statuses


def stored_in_64_bits(field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    try:
        column = model._meta.get_field(field.source) if model else None
    except FieldDoesNotExist:
        return False
    return isinstance(column, models.BigIntegerField)
