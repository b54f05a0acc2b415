"""Pages of results: ?page=N (1 or more) and ?page_size=M (1 to 100, 20 by default).

A value outside those ranges is a 400 naming the parameter, never silently corrected; a page past
the end is an empty page (200, the true count, a link back), so a client that deletes the last
item of the last page does not fall off into an error.
"""

from django.core.paginator import Page
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.utils.urls import remove_query_param, replace_query_param

# The largest page number: the int32 range that clients and databases handle without surprise.
MAX_PAGE = 2**31 - 1


def query_integer(request, name: str, default: int, maximum: int) -> int:
    """The query parameter `name` as an integer from 1 to `maximum`, or `default` when absent.
    Only ASCII digits count: int() would also take " 7", "+7", "٧" and "7_0"."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(maximum))) or not (
        1 <= int(raw) <= maximum
    ):
        raise ValidationError({name: [f"Must be an integer from 1 to {maximum}."]})
    return int(raw)


class PageNumberPagination(pagination.PageNumberPagination):
    """?page=N&page_size=M, answering {"count", "next", "previous", "results"}."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()  # "?page=last" is not an integer: a 400 like any other word

    def get_page_size(self, request):
        size = self.page_size_query_param
        return query_integer(request, size, self.page_size, self.max_page_size)

    def get_page_number(self, request, paginator):
        return query_integer(request, self.page_query_param, 1, MAX_PAGE)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        number = self.get_page_number(request, paginator)
        if number <= paginator.num_pages:
            self.page = paginator.page(number)
        else:  # Past the end: no rows, but the count and the way back are still true.
            self.page = Page([], number, paginator)
        return list(self.page)

    def get_previous_link(self):
        number = self.page.number - 1
        if number < 1:
            return None
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_schema_operation_parameters(self, view):
        return [
            query_parameter(self.page_query_param, "The page number, from 1.", 1, MAX_PAGE),
            query_parameter(
                self.page_size_query_param,
                f"Results per page, from 1 to {self.max_page_size}.",
                self.page_size,
                self.max_page_size,
            ),
        ]

    def get_paginated_response_schema(self, schema):
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer"},
                "next": link,
                "previous": link,
                "results": schema,
            },
        }


def query_parameter(name: str, description: str, default: int, maximum: int) -> dict:
    return {
        "name": name,
        "required": False,
        "in": "query",
        "description": description,
        "schema": {"type": "integer", "minimum": 1, "maximum": maximum, "default": default},
    }
