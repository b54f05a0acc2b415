"""The item bodies, named as in the shared contract (the same component names on every stack)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from ..core.schema_fields import READ_ONLY, RequestBody, optional

Ordering = Literal["title", "-title", "created_at", "-created_at", "updated_at", "-updated_at"]
# An absolute link, or null on the first or last page.
Link = WithJsonSchema({"type": ["string", "null"], "format": "uri"})


class ItemRequest(RequestBody):
    """POST and PUT: the whole item."""

    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    # strict: true or false only, not 0, 1 or "true" (the schema says boolean).
    done: bool = Field(default=False, strict=True)


class PatchedItemRequest(RequestBody):
    """PATCH: any subset of the fields (none may be null)."""

    title: str = optional(min_length=1, max_length=200)
    description: str = optional()
    done: bool = optional(strict=True)


class Item(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(json_schema_extra={**READ_ONLY, "format": "int64"})
    title: str = Field(max_length=200)
    description: str
    done: bool
    created_at: datetime = Field(json_schema_extra=READ_ONLY)
    updated_at: datetime = Field(json_schema_extra=READ_ONLY)


class PaginatedItemList(BaseModel):
    count: int
    next: Annotated[str | None, Link]
    previous: Annotated[str | None, Link]
    results: list[Item]
