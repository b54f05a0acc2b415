"""Strict JSON request bodies: what Python's json module lets through but PostgreSQL (or any
other JSON parser) refuses is a 400 about the body, never a 500 from the database."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute

MAX_DEPTH = 32
NUL = "\x00"


def refuse(message: str, text: str = "") -> json.JSONDecodeError:
    # FastAPI answers a JSONDecodeError as a validation error about the whole body.
    return json.JSONDecodeError(message, text, 0)


def finite(number: str) -> float:
    value = float(number)
    if value in (float("inf"), float("-inf")):  # 1e999 parses as infinity
        raise refuse("Numbers must be finite.")
    return value


def non_finite(name: str) -> float:
    raise refuse(f"{name} is not valid JSON.")


def check(value: Any, depth: int = 1) -> None:
    """Lone surrogates (valid in JSON escapes, not in UTF-8) and nesting beyond MAX_DEPTH."""
    if depth > MAX_DEPTH:
        raise refuse(f"The body is nested deeper than {MAX_DEPTH} levels.")
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError as error:
            raise refuse("The body holds a lone surrogate (\\ud800-\\udfff).") from error
    elif isinstance(value, dict):
        for key, item in value.items():
            check(key, depth)
            check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check(item, depth + 1)


def parse(body: bytes) -> Any:
    try:
        text = body.decode()
    except UnicodeDecodeError as error:
        raise refuse("The body is not UTF-8.") from error
    try:
        value = json.loads(text, parse_constant=non_finite, parse_float=finite)
    except (RecursionError, ValueError) as error:  # ValueError: an integer of 4300+ digits
        if isinstance(error, json.JSONDecodeError):
            raise
        raise refuse("The body is not JSON this service can store.", text) from error
    check(value)
    return value


def has_nul(value: Any) -> bool:
    """A NUL character anywhere in a string, a key or a nested value: PostgreSQL refuses it."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is parsed strictly (FastAPI's documented custom-route hook)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def strict_handler(request: Request):
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
