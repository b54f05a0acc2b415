"""The core's tables this service touches, mapped with SQLAlchemy Core.

Django owns the schema: these definitions are never used to create or migrate anything in
production. The core's test suite fails when they and the migrated schema disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB


class UTCDateTime(TypeDecorator):
    """A timestamp with time zone, always read back with its offset. SQLite stores none: Django
    and this service both write UTC there, so a value read from it without an offset is UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


metadata = MetaData()

users = Table(
    "users_user",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("is_active", Boolean, nullable=False),
)

events = Table(
    "events_event",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("user_id", ForeignKey("users_user.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("data", JSON().with_variant(JSONB, "postgresql"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)
