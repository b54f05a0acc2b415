from __future__ import annotations

from datetime import timedelta

import pytest
from realtime.tables import events
from sqlalchemy import func, select


async def count_events(database) -> int:
    async with database.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(events))


async def test_a_batch_is_accepted_and_written(client, database, auth):
    batch = {"events": [{"name": "page_view", "data": {"path": "/"}}, {"name": "signup"}]}
    reply = await client.post("/api/events", json=batch, headers=auth())
    assert reply.status_code == 202, reply.text
    assert reply.json() == {"accepted": 2}
    async with database.connect() as connection:
        rows = (await connection.execute(select(events).order_by(events.c.id))).mappings().all()
    assert [(r["user_id"], r["name"], r["data"]) for r in rows] == [
        (1, "page_view", {"path": "/"}),
        (1, "signup", {}),
    ]


@pytest.mark.parametrize(
    "batch,field",
    [
        ({"events": []}, "events"),
        ({"events": [{"name": "ok"}, {"name": ""}]}, "events.1.name"),
        ({"events": [{"name": "ok"}, {"data": {}}]}, "events.1.name"),
        ({"events": [{"name": "x", "data": "not an object"}]}, "events.0.data"),
        ({"events": [{"name": "ok"}] * 1001}, "events"),
        ({"rows": []}, "events"),
    ],
)
async def test_a_bad_batch_is_refused_whole_and_nothing_is_written(
    client, database, auth, batch, field
):
    reply = await client.post("/api/events", json=batch, headers=auth())
    assert reply.status_code == 400, reply.text
    body = reply.json()
    assert body["code"] == "validation_error" and body["fields"][field]
    assert await count_events(database) == 0


@pytest.mark.parametrize(
    "token,code",
    [
        (None, "not_authenticated"),
        ("not.a.token", "token_not_valid"),
        ({"token_type": "refresh"}, "token_not_valid"),
        ({"lifetime": timedelta(seconds=-1)}, "token_not_valid"),
        ({"key": "another-key-that-the-core-never-used-0123456789"}, "token_not_valid"),
        ({"user_id": 3}, "token_not_valid"),  # inactive
        ({"user_id": 99}, "token_not_valid"),  # unknown
    ],
)
async def test_only_a_valid_access_token_of_an_active_user_gets_in(
    client, database, auth, token, code
):
    if token is None:
        headers = {}
    elif isinstance(token, str):
        headers = {"Authorization": f"Bearer {token}"}
    else:
        headers = auth(**token)
    reply = await client.post("/api/events", json={"events": [{"name": "x"}]}, headers=headers)
    assert reply.status_code == 401, reply.text
    assert reply.json()["code"] == code
    assert await count_events(database) == 0


async def test_health_docs_and_schema(client):
    assert (await client.get("/health")).json() == {"status": "ok", "database": "ok"}
    schema = (await client.get("/api/openapi.json")).json()
    assert {"/api/events", "/api/events/stream"} <= set(schema["paths"])
    for page in ("/api/docs", "/api/redoc"):
        html = (await client.get(page)).text
        assert "/api/docs-assets/" in html and "cdn." not in html
    assert (await client.get("/api/docs-assets/swagger-ui-bundle.js")).status_code == 200


async def test_unknown_paths_use_the_error_shape(client):
    reply = await client.get("/api/nowhere")
    assert reply.status_code == 404
    assert reply.json() == {"code": "not_found", "detail": "Not found.", "fields": {}}
