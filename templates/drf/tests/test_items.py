import pytest

from .errors import assert_error
from .factories import ItemFactory

pytestmark = pytest.mark.django_db


def test_create_and_read_an_item(auth_client):
    reply = auth_client.post("/api/items", {"title": "Write the pitch"})
    assert reply.status_code == 201, reply.content
    item = reply.json()
    assert item["description"] == "" and item["done"] is False
    assert auth_client.get(f"/api/items/{item['id']}").json() == item


def test_a_title_is_required_and_at_most_200_characters(auth_client):
    assert_error(auth_client.post("/api/items", {}), 400, "validation_error", "title")
    too_long = {"title": "x" * 201}
    assert_error(auth_client.post("/api/items", too_long), 400, "validation_error", "title")


def test_list_is_paginated_filtered_searched_and_ordered(auth_client, user):
    for title in ["bravo", "alpha", "charlie"]:
        ItemFactory(owner=user, title=title, done=title == "alpha")

    page = auth_client.get("/api/items?page_size=2&ordering=title").json()
    assert page["count"] == 3 and page["previous"] is None
    assert page["next"].startswith("http://")
    assert [i["title"] for i in page["results"]] == ["alpha", "bravo"]
    newest_first = auth_client.get("/api/items").json()["results"]
    assert [i["title"] for i in newest_first] == ["charlie", "alpha", "bravo"]
    assert [i["title"] for i in auth_client.get("/api/items?done=true").json()["results"]] == [
        "alpha"
    ]
    assert auth_client.get("/api/items?search=HARL").json()["count"] == 1


def test_update_and_delete(auth_client, user):
    item = ItemFactory(owner=user)
    reply = auth_client.patch(f"/api/items/{item.pk}", {"done": True})
    assert reply.status_code == 200 and reply.json()["done"] is True
    assert auth_client.delete(f"/api/items/{item.pk}").status_code == 204
    assert_error(auth_client.get(f"/api/items/{item.pk}"), 404, "not_found")


def test_another_users_item_is_not_found(auth_client):
    stranger = ItemFactory()
    assert auth_client.get("/api/items").json()["count"] == 0
    url = f"/api/items/{stranger.pk}"
    assert_error(auth_client.get(url), 404, "not_found")
    assert_error(auth_client.patch(url, {"done": True}), 404, "not_found")
    assert_error(auth_client.delete(url), 404, "not_found")


def test_items_need_authentication(client):
    assert_error(client.get("/api/items"), 401, "not_authenticated")
