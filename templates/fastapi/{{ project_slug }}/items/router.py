from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from ..auth.dependencies import CurrentUser
from ..core.database import DbSession
from ..core.errors import ErrorOut
from . import service
from .models import Item
from .schemas import ItemIn, ItemOut, ItemPage, ItemPatch, Ordering

router = APIRouter(
    prefix="/items",
    tags=["items"],
    responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}},
)
not_found: dict[int | str, dict] = {404: {"model": ErrorOut}}


@router.get("", summary="List your items")
async def list_items(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    done: bool | None = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
    ordering: Ordering = Ordering.newest_first,
) -> ItemPage:
    query = service.ordered(service.owned_items(user.id, done, search), ordering)
    count, items = await service.page_of_items(session, query, (page - 1) * page_size, page_size)
    has_next = page * page_size < count
    return ItemPage(
        count=count,
        next=str(request.url.include_query_params(page=page + 1)) if has_next else None,
        previous=str(request.url.include_query_params(page=page - 1)) if page > 1 else None,
        results=[ItemOut.model_validate(item) for item in items],
    )


@router.post("", summary="Create an item", status_code=status.HTTP_201_CREATED)
async def create_item(body: ItemIn, user: CurrentUser, session: DbSession) -> ItemOut:
    item = Item(owner_id=user.id, **body.model_dump())
    session.add(item)
    await session.commit()
    return ItemOut.model_validate(item)


@router.get("/{item_id}", summary="Read an item", responses=not_found)
async def read_item(item_id: int, user: CurrentUser, session: DbSession) -> ItemOut:
    return ItemOut.model_validate(await service.get_owned_item(session, user.id, item_id))


@router.put("/{item_id}", summary="Replace an item", responses=not_found)
async def replace_item(
    item_id: int, body: ItemIn, user: CurrentUser, session: DbSession
) -> ItemOut:
    return await _update(session, user.id, item_id, body.model_dump())


@router.patch("/{item_id}", summary="Update an item", responses=not_found)
async def update_item(
    item_id: int, body: ItemPatch, user: CurrentUser, session: DbSession
) -> ItemOut:
    return await _update(
        session, user.id, item_id, body.model_dump(exclude_unset=True, exclude_none=True)
    )


@router.delete(
    "/{item_id}",
    summary="Delete an item",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=not_found,
)
async def delete_item(item_id: int, user: CurrentUser, session: DbSession) -> None:
    await session.delete(await service.get_owned_item(session, user.id, item_id))
    await session.commit()


async def _update(session: DbSession, owner_id: int, item_id: int, changes: dict) -> ItemOut:
    item = await service.get_owned_item(session, owner_id, item_id)
    for name, value in changes.items():
        setattr(item, name, value)
    await session.commit()
    await session.refresh(item)  # reload updated_at, set by the database round trip
    return ItemOut.model_validate(item)
