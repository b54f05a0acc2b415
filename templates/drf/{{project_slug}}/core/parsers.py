"""The one request body format: JSON, refused (400) when a database or a client could trip on
it: malformed, NaN or Infinity, lone surrogates, nested deeper than MAX_DEPTH; refused (413)
above DATA_UPLOAD_MAX_MEMORY_SIZE, before it is read."""

import json

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .exceptions import RequestTooLarge

MAX_DEPTH = 32


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1)  # the stream stops at Content-Length
        if len(body) > limit:
            raise RequestTooLarge()
        encoding = parsers.get_encoding(parser_context or {})
        try:
            data = json.loads(body.decode(encoding), parse_constant=refuse_constant)
        except RecursionError as error:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from error
        except ValueError as error:  # also UnicodeDecodeError and a refused constant
            raise ParseError(f"JSON parse error - {error}") from error
        check(data)
        return data


def refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def check(data) -> None:
    """Walk the document without recursion: its depth, and every string (keys too) must be
    encodable as UTF-8, which a lone surrogate ("\\ud800") is not."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
            if isinstance(value, dict):
                pending.extend((key, depth) for key in value)
                value = value.values()
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as error:
                raise ParseError("JSON string with a lone surrogate.") from error
