from collections.abc import Callable

from httpx import URL, AsyncClient

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


async def test_a_page_past_the_end_is_empty_and_huge_pages_are_refused(
    client: AsyncClient, auth: dict
) -> None:
    await create(client, auth, "alpha")
    past = await client.get("/api/items?page=3&page_size=1&search=a", headers=auth)
    assert past.status_code == 200, past.text
    assert past.json()["results"] == [] and past.json()["count"] == 1
    assert past.json()["next"] is None
    previous = URL(past.json()["previous"])
    assert previous.path == "/api/items"
    assert dict(previous.params) == {"page": "2", "page_size": "1", "search": "a"}
    for page in ("0", "-1", "1.5", "abc", str(2**31 + 1), "9" * 30):
        reply = await client.get(f"/api/items?page={page}", headers=auth)
        assert_error(reply, 400, "validation_error", "page")
    for done in ("maybe", "1", "yes"):
        reply = await client.get(f"/api/items?done={done}", headers=auth)
        assert_error(reply, 400, "validation_error", "done")
    ignored = await client.get("/api/items?no_such_parameter=1", headers=auth)
    assert ignored.status_code == 200


async def test_ids_that_cannot_exist_are_not_found(client: AsyncClient, auth: dict) -> None:
    for item_id in ("abc", "0", "-1", str(2**31), str(2**63 - 1), str(2**63), "9" * 20):
        for method in ("GET", "PATCH", "DELETE"):
            reply = await client.request(
                method, f"/api/items/{item_id}", json={"done": True}, headers=auth
            )
            assert_error(reply, 404, "not_found")


async def test_strings_with_nul_are_refused_naming_the_field(
    client: AsyncClient, auth: dict
) -> None:
    reply = await client.post("/api/items", json={"title": "a\x00b"}, headers=auth)
    assert_error(reply, 400, "validation_error", "title")
    reply = await client.get("/api/items?search=a%00b", headers=auth)
    assert_error(reply, 400, "validation_error", "search")


async def test_patch_ignores_read_only_and_unknown_fields_but_refuses_null(
    client: AsyncClient, auth: dict
) -> None:
    item = await create(client, auth, "Write the pitch")
    url = f"/api/items/{item['id']}"
    sent_back = {**item, "id": 999, "owner": "e\x00ve", "done": True}
    reply = await client.patch(url, json=sent_back, headers=auth)
    assert reply.status_code == 200, reply.text
    assert reply.json()["id"] == item["id"] and reply.json()["done"] is True
    reply = await client.patch(url, json={"title": None}, headers=auth)
    assert_error(reply, 400, "validation_error", "title")
    for not_a_boolean in (0, "true", None):
        reply = await client.patch(url, json={"done": not_a_boolean}, headers=auth)
        assert_error(reply, 400, "validation_error", "done")


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
