from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .database import DbSession

router = APIRouter(tags=["health"])
Status = Literal["ok", "unavailable"]


class Health(BaseModel):
    status: Status
    database: Status
    # Only when REDIS_URL is set (left out of the answer otherwise).
    redis: Status = Field(default=None)  # type: ignore[assignment]


@router.get(
    "/health",
    summary="Health check",
    response_model_exclude_none=True,
    responses={
        503: {"model": Health, "description": "The database (or Redis, when set) does not answer."}
    },
)
async def health(session: DbSession, request: Request, response: Response) -> Health:
    """Ready when the database answers a real query and Redis, when the service uses it, a
    ping; 503 otherwise, for load balancers."""
    # Redis is checked only with REDIS_URL set; then it is required: without it no request can
    # be rate limited or queue a task.
    checks = {"database": await database_status(session)}
    if request.app.state.redis is not None:
        checks["redis"] = await redis_status(request.app.state.redis)
    ready = all(status == "ok" for status in checks.values())
    if not ready:
        response.status_code = 503
    return Health(status="ok" if ready else "unavailable", **checks)


async def database_status(session: AsyncSession) -> Status:
    try:
        await session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        return "unavailable"
    return "ok"


async def redis_status(redis: Redis) -> Status:
    try:
        await redis.ping()
    except (RedisError, OSError):
        return "unavailable"
    return "ok"
