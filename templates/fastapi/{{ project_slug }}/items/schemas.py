"""The item bodies, named as in the shared contract (the same component names on every stack)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from ..core.schema_fields import READ_ONLY, RequestBody, optional

Ordering = Literal["title", "-title", "created_at", "-created_at", "updated_at", "-updated_at"]
# An absolute link, or null on the first or last page.
Link = WithJsonSchema({"type": ["string", "null"], "format": "uri"})
# Every request string has a bound (the column is TEXT, which has none).
DESCRIPTION_MAX = 10_000


class ItemRequest(RequestBody):
    """POST and PUT: the whole item."""

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    # strict: true or false only, not 0, 1 or "true" (the schema says boolean).
    done: bool = Field(default=False, strict=True)


class PatchedItemRequest(RequestBody):
    """PATCH: any subset of the fields (none may be null)."""

    title: str = optional(min_length=1, max_length=200)
    description: str = optional(max_length=DESCRIPTION_MAX)
    done: bool = optional(strict=True)


class Item(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(json_schema_extra={**READ_ONLY, "format": "int64"})
    title: str = Field(max_length=200)
    # The limit in the schema only: a row stored before the limit existed must still be readable.
    description: str = Field(json_schema_extra={"maxLength": DESCRIPTION_MAX})
    done: bool
    created_at: datetime = Field(json_schema_extra=READ_ONLY)
    updated_at: datetime = Field(json_schema_extra=READ_ONLY)


class PaginatedItemList(BaseModel):
    count: int
    next: Annotated[str | None, Link]
    previous: Annotated[str | None, Link]
    results: list[Item]
