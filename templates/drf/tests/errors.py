def assert_error(reply, status: int, code: str, field: str | None = None) -> dict:
    """The API's one error shape: {"code", "detail", "fields"}."""
    assert reply.status_code == status, reply.content
    body = reply.json()
    assert set(body) == {"code", "detail", "fields"}, body
    assert body["code"] == code, body
    if field:
        assert body["fields"][field], body
    return body
