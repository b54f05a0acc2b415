"""The HTTP edge, as pure ASGI middleware: what reaches a route is a request the API accepts.

- HEAD is answered as GET without the body (FastAPI routes declare GET only).
- A request body is at most `max_body` bytes (413), on any path: the back office's forms too.
- A request body under the API's prefix is JSON (415 otherwise), strict JSON: no NaN/Infinity,
  no lone surrogates, nested at most 32 deep (400 otherwise).
- A Host header outside ALLOWED_HOSTS is a 400 in the error shape, not Starlette's plain text.
"""

import json
from collections.abc import Iterator

from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import NON_FIELD_ERRORS, error_response

MAX_DEPTH = 32
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class HeadAsGet:
    """HEAD on any GET path: the GET's status and headers, no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


class InvalidBody(ValueError):
    """A body the API refuses as a whole (a non-field error)."""


def _strings(value: object, depth: int = 1) -> Iterator[str]:
    """Every key and string in a parsed JSON document."""
    if depth > MAX_DEPTH:
        raise InvalidBody(f"The JSON document is nested deeper than {MAX_DEPTH}.")
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, depth + 1)


def _refuse_constant(name: str) -> object:
    raise InvalidBody(f"{name} is not valid JSON.")


def check_json(body: bytes) -> None:
    """Raises InvalidBody unless the body is JSON the API and its database can take."""
    try:
        document = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise InvalidBody("The JSON document is nested too deeply.") from error
    except InvalidBody:
        raise
    except ValueError as error:  # malformed JSON, or bytes that are not UTF-8
        raise InvalidBody(f"The body is not valid JSON: {error}") from error
    for string in _strings(document):
        try:
            string.encode("utf-8")
        except UnicodeEncodeError as error:
            message = "The body holds a lone surrogate, which is not valid Unicode."
            raise InvalidBody(message) from error


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json"


async def drain(receive: Receive, limit: int) -> None:
    """Read and drop what is left of a refused body, up to `limit` more bytes: a client still
    sending it then reads the 413 instead of a connection reset by the server's close."""
    dropped = 0
    while dropped <= limit:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        dropped += len(message.get("body", b""))


class JsonRequests:
    """Reads every request body before routing: at most `max_body` bytes, and JSON the API can
    take under `prefix`. Elsewhere (the back office's forms) only the size is checked."""

    def __init__(self, app: ASGIApp, max_body: int = 1024 * 1024, prefix: str = "/api/") -> None:
        self.app = app
        self.max_body = max_body
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith(self.prefix)
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        length = int(declared) if declared.isdigit() else 0  # servers refuse malformed ones
        has_body = length > 0 or "transfer-encoding" in headers
        if scope["method"] not in BODY_METHODS or not has_body:
            await self.app(scope, receive, send)
            return
        if api and not _is_json(headers.get("content-type", "")):
            await error_response(415)(scope, receive, send)
            return
        if length > self.max_body:
            await drain(receive, self.max_body)
            await error_response(413)(scope, receive, send)
            return
        body = bytearray()
        more_body = True
        while more_body:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more_body = message.get("more_body", False)
            if len(body) > self.max_body:
                if more_body:
                    await drain(receive, self.max_body)
                await error_response(413)(scope, receive, send)
                return
        try:
            if api:
                check_json(bytes(body))
        except InvalidBody as error:
            response = error_response(400, **{NON_FIELD_ERRORS: [str(error)]})
            await response(scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


class TrustedHosts(TrustedHostMiddleware):
    """Starlette's Host check, refusing in the error shape instead of plain text."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = False

        async def send_json(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start" and message["status"] == 400:
                content_type = Headers(raw=message["headers"]).get("content-type", "")
                refused = content_type.startswith("text/plain")
            if refused:  # the middleware's own "Invalid host header"
                if message["type"] == "http.response.body":
                    response = error_response(400, "Invalid host header.")
                    await response(scope, receive, send)
                return
            await send(message)

        await super().__call__(scope, receive, send_json)
