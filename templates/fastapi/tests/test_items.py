from collections.abc import Callable

from httpx import AsyncClient

from .helpers import assert_error


async def create(client: AsyncClient, auth: dict, title: str, **fields: object) -> dict:
    reply = await client.post("/api/items", json={"title": title, **fields}, headers=auth)
    assert reply.status_code == 201, reply.text
    return reply.json()


async def test_create_read_update_delete(client: AsyncClient, auth: dict) -> None:
    item = await create(client, auth, "Write the pitch")
    assert item["description"] == "" and item["done"] is False
    assert (await client.get(f"/api/items/{item['id']}", headers=auth)).json() == item

    patched = await client.patch(f"/api/items/{item['id']}", json={"done": True}, headers=auth)
    assert patched.status_code == 200 and patched.json()["done"] is True
    assert patched.json()["title"] == "Write the pitch"

    whole = {"title": "Send the pitch", "description": "to ten investors", "done": False}
    replaced = await client.put(f"/api/items/{item['id']}", json=whole, headers=auth)
    assert replaced.status_code == 200 and replaced.json() | whole == replaced.json()

    assert (await client.delete(f"/api/items/{item['id']}", headers=auth)).status_code == 204
    assert_error(await client.get(f"/api/items/{item['id']}", headers=auth), 404, "not_found")


async def test_title_is_required_and_bounded(client: AsyncClient, auth: dict) -> None:
    for body in ({"description": "no title"}, {"title": ""}, {"title": "x" * 201}):
        reply = await client.post("/api/items", json=body, headers=auth)
        assert_error(reply, 400, "validation_error", "title")


async def test_list_is_paginated_with_absolute_links(client: AsyncClient, auth: dict) -> None:
    for title in ("alpha", "bravo", "charlie"):
        await create(client, auth, title)
    first = (await client.get("/api/items?page_size=2&ordering=title", headers=auth)).json()
    assert first["count"] == 3 and first["previous"] is None
    assert [item["title"] for item in first["results"]] == ["alpha", "bravo"]
    assert first["next"].startswith("http://test/api/items?")
    second = (await client.get(first["next"], headers=auth)).json()
    assert [item["title"] for item in second["results"]] == ["charlie"]
    assert second["next"] is None and second["previous"].startswith("http://test/")
    newest = (await client.get("/api/items", headers=auth)).json()
    assert [item["title"] for item in newest["results"]] == ["charlie", "bravo", "alpha"]
    too_big = await client.get("/api/items?page_size=101", headers=auth)
    assert_error(too_big, 400, "validation_error", "page_size")
    unknown = await client.get("/api/items?ordering=owner", headers=auth)
    assert_error(unknown, 400, "validation_error", "ordering")


async def test_filter_and_search(client: AsyncClient, auth: dict) -> None:
    await create(client, auth, "Hire a designer", done=True)
    await create(client, auth, "Pick a logo", description="Ask the DESIGNER")
    await create(client, auth, "File taxes")
    done = (await client.get("/api/items?done=true", headers=auth)).json()
    assert [item["title"] for item in done["results"]] == ["Hire a designer"]
    found = (await client.get("/api/items?search=designer&ordering=title", headers=auth)).json()
    assert [item["title"] for item in found["results"]] == ["Hire a designer", "Pick a logo"]


async def test_another_users_item_does_not_exist_for_them(
    client: AsyncClient, auth: dict, register: Callable
) -> None:
    item = await create(client, auth, "Secret plan")
    rival = {"Authorization": f"Bearer {(await register('rival@example.com'))['access']}"}
    assert (await client.get("/api/items", headers=rival)).json()["count"] == 0
    url = f"/api/items/{item['id']}"
    assert_error(await client.get(url, headers=rival), 404, "not_found")
    assert_error(await client.patch(url, json={"done": True}, headers=rival), 404, "not_found")
    assert_error(await client.delete(url, headers=rival), 404, "not_found")
    assert (await client.get(url, headers=auth)).json()["done"] is False


async def test_items_need_authentication(client: AsyncClient) -> None:
    assert_error(await client.get("/api/items"), 401, "not_authenticated")
