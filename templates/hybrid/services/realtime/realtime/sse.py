"""The stream's wire format: server-sent events (text/event-stream), one message per event.

Every message ends with a blank line. `event: event` carries one of the user's events; the one
`event: end` message says why the service ended the stream, right before it closes it, so that a
client can tell "sign in again" from "reconnect" (an EventSource reconnects on its own unless the
page calls close()).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

EndReason = Literal["token_expired", "user_inactive", "fell_behind", "shutdown"]
END_DETAILS: dict[EndReason, str] = {
    "token_expired": "The access token has expired: get a new one, then reopen the stream.",
    "user_inactive": "The user is inactive or deleted.",
    "fell_behind": "The client read too slowly and fell behind: reopen the stream.",
    "shutdown": "The server is shutting down: reopen the stream.",
}

SUBSCRIBED = ": subscribed\n\n"  # from here on, the client misses none of the user's new events
KEEP_ALIVE = ": keep-alive\n\n"


class EventOut(BaseModel):
    id: int
    name: str
    data: dict[str, Any]
    created_at: datetime


def event_message(row: dict[str, Any]) -> str:
    event = EventOut.model_validate(row)
    return f"id: {event.id}\nevent: event\ndata: {event.model_dump_json()}\n\n"


def end_message(reason: EndReason) -> str:
    data = json.dumps({"reason": reason, "detail": END_DETAILS[reason]})
    return f"event: end\ndata: {data}\n\n"
