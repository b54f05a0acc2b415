"""Queries on items. Every one is scoped to its owner: another user's item does not exist."""

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.database import MAX_ID
from ..core.errors import not_found
from .models import Item
from .schemas import Ordering


def owned_items(owner_id: int, done: bool | None, search: str | None) -> Select[tuple[Item]]:
    query = select(Item).where(Item.owner_id == owner_id)
    if done is not None:
        query = query.where(Item.done == done)
    if search:
        query = query.where(
            or_(
                Item.title.icontains(search, autoescape=True),
                Item.description.icontains(search, autoescape=True),
            )
        )
    return query


def ordered(query: Select[tuple[Item]], ordering: Ordering) -> Select[tuple[Item]]:
    column = getattr(Item, ordering.lstrip("-"))
    descending = ordering.startswith("-")
    direction = column.desc() if descending else column.asc()
    # id breaks ties, so pages are stable when timestamps are equal.
    tiebreak = Item.id.desc() if descending else Item.id.asc()
    return query.order_by(direction, tiebreak)


async def page_of_items(
    session: AsyncSession, query: Select[tuple[Item]], offset: int, limit: int
) -> tuple[int, list[Item]]:
    count = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = await session.scalars(query.offset(offset).limit(limit))
    return count or 0, list(items)


async def get_owned_item(session: AsyncSession, owner_id: int, item_id: int) -> Item:
    if item_id > MAX_ID:
        raise not_found("Item")
    item = await session.scalar(select(Item).where(Item.id == item_id, Item.owner_id == owner_id))
    if item is None:
        raise not_found("Item")
    return item
