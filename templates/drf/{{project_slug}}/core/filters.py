"""The list endpoints' query parameters, strict: a value outside its set is a 400 naming the
parameter (DRF and django-filter would ignore it and answer an unfiltered list). Unknown
parameters are still ignored.

    ?ordering=  one of the view's `ordering_fields`, each ascending or descending ("-title")
    ?search=    at most 200 characters
    ?done=true  boolean filters take exactly "true" or "false"; text filters at most the
                column's max_length
"""

from django import forms
from django.db import models
from django_filters import filters as django_filters
from django_filters import rest_framework
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError

SEARCH_MAX_LENGTH = 200


class TrueOrFalse(forms.Field):
    def to_python(self, value):
        if value is None:  # absent: no filter
            return None
        if value not in ("true", "false"):
            raise forms.ValidationError("Must be true or false.", code="invalid")
        return value == "true"


class BooleanFilter(django_filters.BooleanFilter):
    field_class = TrueOrFalse


class FilterSet(rest_framework.FilterSet):
    FILTER_DEFAULTS = {
        **rest_framework.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
    }

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        """A text filter takes at most what its column holds, and the schema says so."""
        built = super().filter_for_field(field, field_name, lookup_expr)
        if isinstance(built, django_filters.CharFilter) and field.max_length:
            built.extra["max_length"] = field.max_length
            extend_schema_field({"type": "string", "maxLength": field.max_length})(built)
        return built


class FilterBackend(rest_framework.DjangoFilterBackend):
    """django-filter, answering 400 for an invalid value (CharFilter already refuses NUL)."""

    filterset_base = FilterSet


class OrderingFilter(filters.OrderingFilter):
    """One field of the view's `ordering_fields`, "-" for descending; the view's `ordering` by
    default. The id breaks ties, so pages never repeat or skip a row. A view without
    `ordering_fields` ignores the parameter."""

    def choices(self, view) -> list[str]:
        fields = getattr(view, "ordering_fields", None) or []
        return [term for field in fields for term in (field, f"-{field}")]

    def get_ordering(self, request, queryset, view):
        chosen = request.query_params.get(self.ordering_param)
        if chosen is None or not self.choices(view):
            return self.get_default_ordering(view)
        if chosen not in self.choices(view):
            allowed = ", ".join(self.choices(view))
            raise ValidationError({self.ordering_param: [f"Must be one of: {allowed}."]})
        return [chosen, "-id"]

    def get_schema_operation_parameters(self, view):
        if not self.choices(view):
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "The order of the results.",
                "schema": {
                    "type": "string",
                    "enum": self.choices(view),
                    "default": self.get_default_ordering(view)[0],
                },
            }
        ]


class SearchFilter(filters.SearchFilter):
    """DRF's search over the view's `search_fields`; a view without them ignores the parameter."""

    def filter_queryset(self, request, queryset, view):
        if self.get_search_fields(view, request):
            field = forms.CharField(max_length=SEARCH_MAX_LENGTH, required=False, strip=False)
            try:  # The form field also refuses NUL, which PostgreSQL cannot compare.
                field.clean(request.query_params.get(self.search_param, ""))
            except forms.ValidationError as error:
                raise ValidationError({self.search_param: error.messages}) from error
        return super().filter_queryset(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        if not self.get_search_fields(view, getattr(view, "request", None)):
            return []
        [parameter] = super().get_schema_operation_parameters(view)
        parameter["schema"]["maxLength"] = SEARCH_MAX_LENGTH
        return [parameter]
