"""The rules every request meets before any route sees it, as the core applies them: JSON bodies
only (415), at most MAX_BODY_BYTES (413), HEAD answered as GET without the body."""

from __future__ import annotations

import anyio
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from realtime.http import drain

# The core's limit: one limit for the whole API (a batch of 1000 events has about 1 KiB each).
MAX_BODY_BYTES = 1024 * 1024
METHODS_WITH_BODY = {"POST", "PUT", "PATCH"}


def error(status_code: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"code": code, "detail": detail, "fields": {}}, status_code)


def is_json(content_type: str | None) -> bool:
    # application/json, with or without parameters such as charset.
    return (content_type or "").split(";")[0].strip().lower() == "application/json"


class RequestRules:
    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["method"] == "HEAD":
            await self.head_as_get(scope, send)
        elif scope["method"] in METHODS_WITH_BODY:
            await self.read_body_first(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def read_body_first(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the whole body (up to the limit) before the app runs, so that a body too large
        or not JSON is refused in the error shape before anything else happens."""
        headers = Headers(scope=scope)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await drain(receive, self.max_body_bytes)
            await too_large(self.max_body_bytes)(scope, receive, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body_bytes:
                if message.get("more_body", False):
                    await drain(receive, self.max_body_bytes)
                await too_large(self.max_body_bytes)(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and not is_json(headers.get("content-type")):
            response = error(415, "unsupported_media_type", "Send the body as application/json.")
            await response(scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def head_as_get(self, scope: Scope, send: Send) -> None:
        """The GET's status and headers, without its body. A stream is told the client left as
        soon as its headers are out, so it ends instead of running on unseen."""
        answered = anyio.Event()
        request_read = False

        async def receive() -> Message:
            nonlocal request_read
            if not request_read:  # a HEAD request has no body
                request_read = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await answered.wait()
            return {"type": "http.disconnect"}

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body" and not answered.is_set():
                answered.set()
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


def too_large(limit: int) -> JSONResponse:
    return error(413, "request_too_large", f"The body is larger than {limit // 1024 // 1024} MiB.")
