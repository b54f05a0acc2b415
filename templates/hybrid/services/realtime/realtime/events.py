"""Event ingestion and the live stream: the hot path the core hands to this service."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from realtime.auth import CurrentUser
from realtime.feed import EventFeed
from realtime.json_body import StrictJSONRoute, has_nul
from realtime.openapi import ERROR
from realtime.tables import events

MAX_BATCH = 1000
KEEP_ALIVE_SECONDS = 15

router = APIRouter(prefix="/api/events", tags=["events"], route_class=StrictJSONRoute)


class EventRequest(BaseModel):
    # Unknown fields are ignored, as everywhere in the API.
    name: str = Field(min_length=1, max_length=100, examples=["page_view"])
    data: dict[str, Any] = Field(default={}, examples=[{"path": "/pricing"}])

    @field_validator("name", "data")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError("Null characters are not allowed.")
        return value


class EventBatchRequest(BaseModel):
    events: list[EventRequest] = Field(min_length=1, max_length=MAX_BATCH)


class EventBatchAccepted(BaseModel):
    accepted: int = Field(ge=1, le=MAX_BATCH)


class EventOut(BaseModel):
    id: int
    name: str
    data: dict[str, Any]
    created_at: datetime


async def get_engine(request: Request) -> AsyncEngine:
    return request.app.state.engine


async def get_feed(request: Request) -> EventFeed:
    return request.app.state.feed


Engine = Annotated[AsyncEngine, Depends(get_engine)]
Feed = Annotated[EventFeed, Depends(get_feed)]


@router.post(
    "",
    operation_id="events_create",
    summary="Send a batch of events",
    status_code=202,
    response_description="Every event of the batch is stored",
    responses={status: ERROR for status in (400, 401, 413, 415, 503)},
)
async def ingest(batch: EventBatchRequest, user: CurrentUser, engine: Engine) -> EventBatchAccepted:
    """Store a batch of the user's events, all or none: one bad event refuses the whole batch."""
    now = datetime.now(UTC)
    rows = [
        {"user_id": user.id, "name": event.name, "data": event.data, "created_at": now}
        for event in batch.events
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(events).values(rows))
    return EventBatchAccepted(accepted=len(rows))


@router.get(
    "/stream",
    operation_id="events_stream_retrieve",
    summary="Follow your new events live",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "Server-sent events, from the moment the stream opens",
        },
        401: ERROR,
        503: ERROR,
    },
)
async def stream(user: CurrentUser, feed: Feed) -> StreamingResponse:
    """The user's new events as server-sent events, from the moment the stream opens."""

    async def messages():
        async with feed.subscribe(user.id) as queue:
            yield ": subscribed\n\n"  # the client knows from here on nothing is missed
            while True:
                try:
                    row = await asyncio.wait_for(queue.get(), timeout=KEEP_ALIVE_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                event = EventOut.model_validate(row)
                yield f"id: {event.id}\nevent: event\ndata: {event.model_dump_json()}\n\n"

    return StreamingResponse(
        messages(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
