"""Every string a request sends has a bound, as the schema's maxLength says: one longer is a 400
naming the field, checked before any work is done with it (a password is never hashed)."""

import pytest

from .errors import assert_error

pytestmark = pytest.mark.django_db


def test_an_item_description_is_at_most_10000_characters(auth_client):
    reply = auth_client.post("/api/items", {"title": "t", "description": "x" * 10_000})
    assert reply.status_code == 201, reply.content
    item = reply.json()["id"]
    too_long = {"title": "t", "description": "x" * 10_001}
    assert_error(auth_client.post("/api/items", too_long), 400, "validation_error", "description")
    reply = auth_client.patch(f"/api/items/{item}", {"description": "x" * 10_001})
    assert_error(reply, 400, "validation_error", "description")


def test_sign_in_and_refresh_strings_are_bounded(client, user):
    for body, field in (
        ({"email": "a" * 243 + "@example.com", "password": "p"}, "email"),
        ({"email": user.email, "password": "p" * 129}, "password"),
    ):
        assert_error(client.post("/api/auth/token", body), 400, "validation_error", field)
    for path in ("/api/auth/refresh", "/api/auth/logout"):
        reply = client.post(path, {"refresh": "x" * 1025})
        assert_error(reply, 400, "validation_error", "refresh")
