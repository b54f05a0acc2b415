"""The async engine on the core's database, and the answer when that database is down."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from realtime.database_url import async_driver_url

logger = logging.getLogger(__name__)

# What a database that does not answer raises: refused or dropped connections, timeouts.
UNAVAILABLE = (OperationalError, InterfaceError, OSError, TimeoutError)


def create_engine(database_url: str) -> AsyncEngine:
    return create_async_engine(async_driver_url(database_url), pool_pre_ping=True)


async def database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    logger.warning("database unavailable: %s", error)
    body = {"code": "service_unavailable", "detail": "The database does not answer.", "fields": {}}
    return JSONResponse(body, status_code=503)


def install_unavailable_handler(app: FastAPI) -> None:
    """A request that meets a down database is answered 503 in the error shape, not 500."""
    for error in UNAVAILABLE:
        app.add_exception_handler(error, database_unavailable)
