"""Helpers the tests share."""

from httpx import Response

PASSWORD = "correct-horse-battery-9"


def assert_error(reply: Response, status: int, code: str, field: str | None = None) -> dict:
    """Every error has the same shape: {"code", "detail", "fields"}."""
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"code", "detail", "fields"} and body["code"] == code, body
    if field is not None:
        assert body["fields"][field], body
    return body
