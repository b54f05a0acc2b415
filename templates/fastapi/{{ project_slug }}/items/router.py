from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, status
from pydantic import WithJsonSchema

from ..auth.dependencies import CurrentUser
from ..core.database import DbSession
from ..core.errors import error_responses
from ..core.schema_fields import NoNul, PathId, QueryBool
from . import service
from .models import Item as ItemRow
from .schemas import Item, ItemRequest, Ordering, PaginatedItemList, PatchedItemRequest

router = APIRouter(prefix="/items", tags=["items"])
# A body is JSON of at most 1 MiB (core/http.py): 413 and 415 wherever one is read.
WITH_BODY = (400, 401, 413, 415, 503)
ONE_ITEM = (401, 404, 503)
# page * page_size must stay a number the database takes as an OFFSET (documented as maximum).
MAX_PAGE = 2**31 - 1


@router.get("", summary="List your items", responses=error_responses(400, 401, 503))
async def list_items(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    done: QueryBool = None,
    # Absent means no filter; the schema shows a plain string (a query string cannot send null).
    search: Annotated[
        str | None,
        Query(max_length=200),
        NoNul,
        WithJsonSchema({"type": "string", "maxLength": 200}),
    ] = None,
    ordering: Ordering = "-created_at",
) -> PaginatedItemList:
    query = service.ordered(service.owned_items(user.id, done, search), ordering)
    count, items = await service.page_of_items(session, query, (page - 1) * page_size, page_size)
    has_next = page * page_size < count
    return PaginatedItemList(
        count=count,
        next=str(request.url.include_query_params(page=page + 1)) if has_next else None,
        previous=str(request.url.include_query_params(page=page - 1)) if page > 1 else None,
        results=[Item.model_validate(item) for item in items],
    )


@router.post(
    "",
    summary="Create an item",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(*WITH_BODY),
)
async def create_item(body: ItemRequest, user: CurrentUser, session: DbSession) -> Item:
    item = ItemRow(owner_id=user.id, **body.model_dump())
    session.add(item)
    await session.commit()
    return Item.model_validate(item)


@router.get("/{id}", summary="Read an item", responses=error_responses(*ONE_ITEM))
async def read_item(id: PathId, user: CurrentUser, session: DbSession) -> Item:
    return Item.model_validate(await service.get_owned_item(session, user.id, id))


@router.put("/{id}", summary="Replace an item", responses=error_responses(404, *WITH_BODY))
async def replace_item(
    id: PathId, body: ItemRequest, user: CurrentUser, session: DbSession
) -> Item:
    return await _update(session, user.id, id, body.model_dump())


@router.patch("/{id}", summary="Update an item", responses=error_responses(404, *WITH_BODY))
async def update_item(
    id: PathId,
    # May be left out altogether (changing nothing), as drf's PATCH allows.
    body: Annotated[PatchedItemRequest, Body(default_factory=PatchedItemRequest)],
    user: CurrentUser,
    session: DbSession,
) -> Item:
    return await _update(session, user.id, id, body.model_dump(exclude_unset=True))


@router.delete(
    "/{id}",
    summary="Delete an item",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(*ONE_ITEM),
)
async def delete_item(id: PathId, user: CurrentUser, session: DbSession) -> None:
    await session.delete(await service.get_owned_item(session, user.id, id))
    await session.commit()


async def _update(session: DbSession, owner_id: int, item_id: int, changes: dict) -> Item:
    item = await service.get_owned_item(session, owner_id, item_id)
    for name, value in changes.items():
        setattr(item, name, value)
    await session.commit()
    await session.refresh(item)  # reload updated_at, set by the database round trip
    return Item.model_validate(item)
