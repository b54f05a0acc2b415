from urllib.parse import parse_qs, urlsplit

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


def test_a_page_past_the_end_is_empty_with_the_true_count_and_a_way_back(auth_client, user):
    ItemFactory.create_batch(3, owner=user)
    page = auth_client.get("/api/items?page=5&page_size=2&ordering=title").json()
    assert page["results"] == [] and page["count"] == 3 and page["next"] is None
    previous = urlsplit(page["previous"])
    assert previous.netloc == "testserver" and previous.path == "/api/items"
    assert parse_qs(previous.query) == {"page": ["4"], "page_size": ["2"], "ordering": ["title"]}


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=ten", "page_size"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("page=last", "page"),
        ("page=2147483648", "page"),
        ("ordering=bogus", "ordering"),
        ("ordering=title,-id", "ordering"),
        ("done=maybe", "done"),
        ("done=1", "done"),
        ("search=" + "x" * 201, "search"),
        ("search=a%00b", "search"),
    ],
)
def test_query_values_outside_their_set_are_refused(auth_client, query, parameter):
    assert_error(auth_client.get(f"/api/items?{query}"), 400, "validation_error", parameter)


def test_unknown_query_parameters_are_ignored(auth_client):
    assert auth_client.get("/api/items?colour=blue&page_size=100").status_code == 200


@pytest.mark.parametrize("item_id", ["abc", "0", "-1", "9223372036854775808", "9" * 20])
def test_an_id_that_cannot_exist_is_not_found(auth_client, item_id):
    for method in ["get", "put", "patch", "delete"]:
        reply = getattr(auth_client, method)(f"/api/items/{item_id}", {"title": "x"})
        assert_error(reply, 404, "not_found")


def test_nul_in_a_string_is_refused_naming_the_field(auth_client):
    reply = auth_client.post("/api/items", {"title": "a\x00b"})
    assert_error(reply, 400, "validation_error", "title")


def test_put_replaces_the_whole_item(auth_client, user):
    item = ItemFactory(owner=user, description="notes", done=True)
    reply = auth_client.put(f"/api/items/{item.pk}", {"title": "renamed"})
    assert reply.status_code == 200, reply.content
    assert reply.json()["description"] == "" and reply.json()["done"] is False


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": 0}, "title"),
        ({"title": "x", "done": 0}, "done"),
        ({"title": "x", "done": "true"}, "done"),
    ],
)
def test_a_body_value_of_the_wrong_json_type_is_refused(auth_client, body, field):
    assert_error(auth_client.post("/api/items", body), 400, "validation_error", field)
