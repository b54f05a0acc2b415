"""Event ingestion: the hot path the core hands to this service (the live stream: stream.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from realtime.auth import CurrentUser
from realtime.json_body import StrictJSONRoute, has_nul
from realtime.openapi import ERROR
from realtime.tables import events

MAX_BATCH = 1000

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


async def get_engine(request: Request) -> AsyncEngine:
    return request.app.state.engine


Engine = Annotated[AsyncEngine, Depends(get_engine)]


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
