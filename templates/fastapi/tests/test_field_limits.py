"""Every string a request sends has a bound, as the schema's maxLength says: one longer is a 400
naming the field, checked before any work is done with it (a password is never hashed)."""

from collections.abc import Callable

from httpx import AsyncClient

from .helpers import assert_error


async def test_an_item_description_is_at_most_10000_characters(
    client: AsyncClient, auth: dict
) -> None:
    item = {"title": "t", "description": "x" * 10_000}
    reply = await client.post("/api/items", json=item, headers=auth)
    assert reply.status_code == 201, reply.text
    path = f"/api/items/{reply.json()['id']}"
    too_long = {"title": "t", "description": "x" * 10_001}
    reply = await client.post("/api/items", json=too_long, headers=auth)
    assert_error(reply, 400, "validation_error", "description")
    reply = await client.patch(path, json={"description": "x" * 10_001}, headers=auth)
    assert_error(reply, 400, "validation_error", "description")


async def test_sign_in_and_refresh_strings_are_bounded(
    client: AsyncClient, register: Callable
) -> None:
    await register("ada@example.com")
    for body, field in (
        ({"email": "a" * 243 + "@example.com", "password": "p"}, "email"),
        ({"email": "ada@example.com", "password": "p" * 129}, "password"),
    ):
        reply = await client.post("/api/auth/token", json=body)
        assert_error(reply, 400, "validation_error", field)
    for path in ("/api/auth/refresh", "/api/auth/logout"):
        reply = await client.post(path, json={"refresh": "x" * 1025})
        assert_error(reply, 400, "validation_error", "refresh")
