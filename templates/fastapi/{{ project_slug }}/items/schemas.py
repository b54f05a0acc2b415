from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ItemIn(BaseModel):
    """POST and PUT: the whole item."""

    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    done: bool = False


class ItemPatch(BaseModel):
    """PATCH: any subset of the fields."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    done: bool | None = None


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    done: bool
    created_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[ItemOut]


class Ordering(StrEnum):
    created_at = "created_at"
    newest_first = "-created_at"
    title = "title"
    title_descending = "-title"
    updated_at = "updated_at"
    recently_updated = "-updated_at"
