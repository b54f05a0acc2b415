"""The async engine on the core's database, with the async driver picked from its URL."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

ASYNC_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


def async_url(database_url: str) -> str:
    """postgresql://… (as hosting platforms hand it out) → postgresql+asyncpg://…"""
    url = make_url(database_url)
    driver = ASYNC_DRIVERS.get(url.drivername, url.drivername)
    return url.set(drivername=driver).render_as_string(hide_password=False)


def create_engine(database_url: str) -> AsyncEngine:
    return create_async_engine(async_url(database_url), pool_pre_ping=True)
