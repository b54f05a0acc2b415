"""The async engine on the core's database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from realtime.database_url import async_driver_url


def create_engine(database_url: str) -> AsyncEngine:
    return create_async_engine(async_driver_url(database_url), pool_pre_ping=True)
