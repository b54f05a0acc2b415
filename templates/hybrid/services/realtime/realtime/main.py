"""The realtime service's app: event ingestion and the live stream, beside the Django core."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from sqlalchemy import text

from realtime import events
from realtime.database import create_engine
from realtime.docs import install_docs
from realtime.errors import ApiError, install_error_handlers
from realtime.feed import EventFeed
from realtime.settings import Settings, get_settings

TITLE = "Realtime service"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = create_engine(settings.database_url)
        app.state.feed = EventFeed(app.state.engine, settings.feed_poll_interval)
        await app.state.feed.start()
        try:
            yield
        finally:
            await app.state.feed.stop()
            await app.state.engine.dispose()

    app = FastAPI(
        title=TITLE,
        summary="High-volume event ingestion and a live stream for the core's users.",
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    if settings.cors_allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    install_error_handlers(app)
    install_docs(app)
    app.include_router(events.router)

    @app.get("/health", tags=["operations"], summary="Health check")
    async def health() -> dict[str, str]:
        """Ready when the database answers a real query; 503 otherwise, for load balancers."""
        try:
            async with app.state.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            raise ApiError(503, "unavailable", "The database does not answer.") from error
        return {"status": "ok", "database": "ok"}

    return app


app = create_app()
