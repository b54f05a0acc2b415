"""The fastapi stack's ceiling: FastAPI serving the benchmark's three calls and nothing else.

No authentication, no middleware, no pagination, no settings layer: what the framework, Pydantic
and SQLAlchemy's async ORM cost on their own. It runs in the generated fastapi project's
environment (the same FastAPI, SQLAlchemy, driver and uvicorn) with one uvicorn worker:
`uvicorn bare_fastapi:app` with this folder on PYTHONPATH. BENCH_DATABASE_URL
(sqlite:////abs/path or postgresql://...) and BENCH_UPSTREAM_URL configure it.
"""

import importlib.util
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

import httpx2 as httpx
from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy import DateTime, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

UPSTREAM_URL = os.environ.get("BENCH_UPSTREAM_URL", "http://127.0.0.1:9/")


def async_url(url: str) -> str:
    """The async driver the project itself installed: aiosqlite, asyncpg or psycopg."""
    if url.startswith("sqlite:"):
        return url.replace("sqlite:", "sqlite+aiosqlite:", 1)
    driver = "asyncpg" if importlib.util.find_spec("asyncpg") else "psycopg"
    return url.replace("postgresql:", f"postgresql+{driver}:", 1)


engine = create_async_engine(async_url(os.environ["BENCH_DATABASE_URL"]))
sessions = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


def now() -> datetime:
    return datetime.now(UTC)


class Item(Base):
    __tablename__ = "bare_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    description: Mapped[str] = mapped_column(default="")
    done: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    description: str
    done: bool
    created_at: datetime
    updated_at: datetime


class Health(BaseModel):
    status: str
    database: str


async def session() -> AsyncIterator[AsyncSession]:
    async with sessions() as opened:
        yield opened


@asynccontextmanager
async def lifespan(app: FastAPI):
    """One worker, so no race: create the table and its 20 rows on start; one shared client."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with sessions() as opened:
        if (await opened.scalar(select(Item.id).limit(1))) is None:
            opened.add_all(Item(title=f"Item {n}", description="seed") for n in range(20))
            await opened.commit()
    limits = httpx.Limits(max_connections=1024, max_keepalive_connections=1024)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        app.state.upstream = client
        yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/health")
async def health(db: Annotated[AsyncSession, Depends(session)]) -> Health:
    await db.execute(text("SELECT 1"))
    return Health(status="ok", database="ok")


@app.get("/api/items")
async def items(db: Annotated[AsyncSession, Depends(session)]) -> list[ItemOut]:
    rows = await db.scalars(select(Item).order_by(Item.created_at.desc()).limit(20))
    return [ItemOut.model_validate(row) for row in rows]


@app.get("/api/bench/upstream")
async def upstream() -> dict[str, str]:
    reply = await app.state.upstream.get(UPSTREAM_URL)
    return reply.json()
