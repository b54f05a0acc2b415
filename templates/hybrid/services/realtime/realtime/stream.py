"""The live stream of a user's new events, and the tickets that let a browser's EventSource in.

A stream ends, with a last `event: end` message saying why (realtime/sse.py), when the access
token that opened it expires, when its user is deactivated or deleted (found within
STREAM_USER_CHECK_INTERVAL), when its reader falls more than STREAM_BUFFER events behind, and
when the server is told to stop (realtime/shutdown.py).
A user may hold STREAM_MAX_PER_USER streams (per process, or across every process when REDIS_URL
is set: realtime/slots.py); one more is `429 throttled`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field
from redis.exceptions import RedisError
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from realtime import tickets
from realtime.auth import AccessCredential, Credential, active_user, bearer, decode_access_token
from realtime.errors import ApiError, respond
from realtime.feed import EventFeed, StreamLimitReached, Subscription
from realtime.json_body import StrictJSONRoute
from realtime.openapi import ERROR
from realtime.sse import KEEP_ALIVE, SUBSCRIBED, EndReason, end_message

logger = logging.getLogger(__name__)

KEEP_ALIVE_SECONDS = 15
# How long the last message may take to leave: a reader that takes longer reads nothing at all,
# and its connection is closed without it.
END_SECONDS = 2
# A stream frees its place when its client leaves: try again a little later.
RETRY_AFTER_SECONDS = 5

router = APIRouter(prefix="/api/events/stream", tags=["events"], route_class=StrictJSONRoute)


class StreamTicket(BaseModel):
    ticket: str = Field(description="Pass it as ?ticket= to GET /api/events/stream")
    expires_in: int = Field(
        ge=1, le=tickets.TICKET_SECONDS, description="Seconds left to open the stream with it"
    )


async def stream_credential(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ticket: Annotated[
        str | None,
        Query(
            max_length=1024,
            description="A ticket from POST /api/events/stream/ticket, for clients that cannot "
            "send the Authorization header (a browser's EventSource); used when there is none",
        ),
    ] = None,
) -> Credential:
    key = request.app.state.settings.jwt_signing_key
    if credentials is not None:
        credential = decode_access_token(credentials.credentials, key)
    elif ticket is not None:
        credential = tickets.read(ticket, key)
    else:
        raise ApiError(401, "not_authenticated", "Authentication credentials were not provided.")
    await active_user(request, credential.user_id)
    return credential


@router.post(
    "/ticket",
    operation_id="events_stream_ticket_create",
    summary="Get a ticket to open the stream from a browser",
    response_description="A ticket, valid for a few seconds, that opens the stream only",
    responses={status: ERROR for status in (401, 413, 415, 503)},
)
async def create_ticket(request: Request, access: AccessCredential) -> StreamTicket:
    """A short-lived ticket for `GET /api/events/stream?ticket=`: an EventSource cannot send
    the Authorization header. The ticket opens the stream and nothing else."""
    await active_user(request, access.user_id)
    ticket, expires_in = tickets.mint(access, request.app.state.settings.jwt_signing_key)
    return StreamTicket(ticket=ticket, expires_in=expires_in)


@router.get(
    "",
    operation_id="events_stream_retrieve",
    summary="Follow your new events live",
    response_class=Response,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "Server-sent events, from the moment the stream opens",
        },
        **{status: ERROR for status in (400, 401, 429, 503)},
    },
)
async def stream(
    request: Request, credential: Annotated[Credential, Depends(stream_credential)]
) -> Response:
    """The user's new events as server-sent events, from the moment the stream opens, until the
    access token expires (the last message, `event: end`, says why the stream ended)."""
    return EventStreamResponse(request.app.state.feed, credential)


class EventStreamResponse(Response):
    """The stream as an ASGI response. A writer sends the subscription's messages while this
    waits for whichever comes first: the client leaves, the subscription ends (the reader fell
    behind, the user was deactivated) or the token expires. The writer may be stuck sending to
    a client that reads nothing: cancelling it is what frees the stream."""

    media_type = "text/event-stream"

    def __init__(self, feed: EventFeed, credential: Credential) -> None:
        self.feed = feed
        self.credential = credential
        self.status_code = 200
        self.background = None
        self.init_headers({"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            subscription = await self.feed.subscribe(self.credential.user_id)
        except StreamLimitReached:
            detail = "Too many open streams: close one, then try again."
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            await respond(ApiError(429, "throttled", detail, headers=headers))(scope, receive, send)
            return
        except RedisError:  # REDIS_URL is set, and Redis, which counts the streams, is down
            logger.exception("stream limit: Redis does not answer")
            detail = "The service is temporarily unavailable."
            await respond(ApiError(503, "service_unavailable", detail))(scope, receive, send)
            return
        try:
            await self.stream(subscription, receive, send)
        finally:
            await self.feed.unsubscribe(subscription)

    async def stream(self, subscription: Subscription, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        writer = asyncio.create_task(write(subscription, send))
        left = asyncio.create_task(client_leaves(receive))
        ended = asyncio.create_task(subscription.ended.wait())
        until_expiry = max(self.credential.expires_at - time.time(), 0)
        try:
            done, _ = await asyncio.wait(
                {writer, left, ended}, timeout=until_expiry, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for task in (writer, left, ended):
                task.cancel()
            await asyncio.gather(writer, left, ended, return_exceptions=True)
        # The stream is over: its place is free from now, not once its last message has left
        # (up to END_SECONDS for a client that reads nothing).
        await self.feed.unsubscribe(subscription)
        if left in done:
            return
        if writer in done:
            writer.result()  # the writer only stops by raising: let the error surface
        reason: EndReason = subscription.reason or "token_expired"
        await finish(send, reason, subscription.user_id)


async def write(subscription: Subscription, send: Send) -> None:
    await send_text(send, SUBSCRIBED)
    while True:
        try:
            message = await asyncio.wait_for(subscription.queue.get(), KEEP_ALIVE_SECONDS)
        except TimeoutError:
            message = KEEP_ALIVE
        await send_text(send, message)


async def client_leaves(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def send_text(send: Send, text: str, more: bool = True) -> None:
    await send({"type": "http.response.body", "body": text.encode(), "more_body": more})


async def finish(send: Send, reason: EndReason, user_id: int) -> None:
    """The last message and the end of the response, unless the client reads nothing: then the
    app returns without them and the server closes the connection (uvicorn logs that a response
    was not completed, right after the warning below)."""
    try:
        async with asyncio.timeout(END_SECONDS):
            await send_text(send, end_message(reason), more=False)
    except TimeoutError:
        logger.warning("stream of user %s ended (%s); its client reads nothing", user_id, reason)
