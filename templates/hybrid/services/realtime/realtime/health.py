"""GET /health: ready when the database answers a real query; 503 otherwise, for load balancers."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from realtime.database import UNAVAILABLE

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]


@router.get(
    "/health",
    operation_id="health_retrieve",
    summary="Health check",
    response_model=Health,
    response_description="The service and its database answer",
    responses={503: {"model": Health, "description": "The database does not answer"}},
)
async def health(request: Request) -> Health | JSONResponse:
    try:
        async with request.app.state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except UNAVAILABLE:
        down = Health(status="unavailable", database="unavailable")
        return JSONResponse(down.model_dump(), status_code=503)
    return Health(status="ok", database="ok")
