import asyncio
import logging

from ..core.database import create_engine, create_sessionmaker
from ..core.settings import get_settings
from ..worker import celery_app
from . import service

logger = logging.getLogger(__name__)


@celery_app.task
def delete_expired_refresh_tokens() -> int:
    """Beat sends this daily (worker.py): the refresh_tokens table keeps only live records.
    Deleting is idempotent, so running it twice is harmless."""
    deleted = asyncio.run(_delete_expired())
    logger.info("Deleted %d expired refresh token records.", deleted)
    return deleted


async def _delete_expired() -> int:
    # The app's async models and code, on an engine of this run's own: a worker process has no
    # event loop of its own to keep a pool on, and the job runs once a day.
    engine = create_engine(get_settings().sqlalchemy_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await service.delete_expired_refresh_tokens(session)
    finally:
        await engine.dispose()
