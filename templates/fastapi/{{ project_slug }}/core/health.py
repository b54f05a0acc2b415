from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import text

from .database import DbSession

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]


@router.get(
    "/health",
    summary="Health check",
    responses={503: {"model": Health, "description": "The database does not answer."}},
)
async def health(session: DbSession, response: Response) -> Health:
    """Ready when the database answers a real query; 503 otherwise, for load balancers."""
    try:
        await session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        response.status_code = 503
        return Health(status="unavailable", database="unavailable")
    return Health(status="ok", database="ok")
