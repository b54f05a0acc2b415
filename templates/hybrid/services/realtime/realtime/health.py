"""GET /health: ready when the database answers a real query (and Redis a ping, when REDIS_URL
is set); 503 otherwise, for load balancers."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema
from redis.exceptions import RedisError
from sqlalchemy import text

from realtime.database import UNAVAILABLE

router = APIRouter(tags=["health"])
State = Literal["ok", "unavailable"]


def _no_default(schema: dict) -> None:
    schema.pop("default", None)  # absent, not null, when there is no Redis


class Health(BaseModel):
    status: State
    database: State
    # Only when REDIS_URL is set.
    redis: State | SkipJsonSchema[None] = Field(default=None, json_schema_extra=_no_default)


@router.get(
    "/health",
    operation_id="health_retrieve",
    summary="Health check",
    response_model=Health,
    response_model_exclude_none=True,
    response_description="The service and its database answer",
    responses={503: {"model": Health, "description": "The database does not answer"}},
)
async def health(request: Request) -> Health | JSONResponse:
    states: dict[str, State] = {"database": await database_state(request)}
    if request.app.state.redis is not None:
        states["redis"] = await redis_state(request)
    if all(state == "ok" for state in states.values()):
        return Health(status="ok", **states)
    down = Health(status="unavailable", **states)
    return JSONResponse(down.model_dump(exclude_none=True), status_code=503)


async def database_state(request: Request) -> State:
    try:
        async with request.app.state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except UNAVAILABLE:
        return "unavailable"
    return "ok"


async def redis_state(request: Request) -> State:
    try:
        await request.app.state.redis.ping()
    except (RedisError, OSError):
        return "unavailable"
    return "ok"
