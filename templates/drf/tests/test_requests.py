"""What every endpoint does with the request itself, before any business logic: JSON bodies
only, bounded in size and depth; exact paths; HEAD; errors from Django's own layers."""

import json
from io import BytesIO

import pytest
from django.test import Client, override_settings

from .errors import assert_error
from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def post_raw(client, path, body: bytes | str, content_type="application/json"):
    return client.generic("POST", path, body, content_type=content_type)


def post_chunked(client, path, body: bytes, stream: BytesIO | None = None):
    """POST `body` as gunicorn hands a `Transfer-Encoding: chunked` one to Django: decoded, with
    no CONTENT_LENGTH, and an input that ends with the body."""
    return client.generic(
        "POST",
        path,
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": stream or BytesIO(body), "wsgi.input_terminated": True},
    )


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_only_json_bodies_are_accepted(client):
    reply = client.post(
        "/api/auth/token",
        "email=a%40example.com&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(reply, 415, "unsupported_media_type")
    body = json.dumps({"email": "a@example.com", "password": "wrong-password-1"})
    reply = post_raw(client, "/api/auth/token", body, "application/json; charset=utf-8")
    assert_error(reply, 401, "authentication_failed")


@pytest.mark.parametrize(
    "body",
    [
        '{"email": ',
        '{"email": "a@example.com", "password": NaN}',
        '{"email": "a@example.com", "password": Infinity}',
        '{"email": "a@example.com", "password": "\\ud800"}',
        nested(33),
        nested(100_000),  # Python's own JSON parser would hit its recursion limit: once a 500
        b"\xff\xfe",
    ],
    ids=["truncated", "nan", "infinity", "lone-surrogate", "33-deep", "100000-deep", "not-utf8"],
)
def test_bodies_a_database_or_client_could_trip_on_are_refused(client, body):
    reply = post_raw(client, "/api/auth/token", body)
    assert_error(reply, 400, "validation_error", "non_field_errors")


def test_32_levels_of_nesting_are_fine(auth_client):
    body = json.dumps({"title": "deep", "extra": json.loads(nested(31))})
    assert post_raw(auth_client, "/api/items", body).status_code == 201


def test_a_body_over_one_mebibyte_is_too_large(auth_client):
    reply = post_raw(auth_client, "/api/items", json.dumps({"title": "x" * (1024 * 1024)}))
    assert_error(reply, 413, "request_too_large")


def test_a_chunked_body_is_read_up_to_one_mebibyte(client):
    credentials = json.dumps({"email": "chunked@example.com", "password": PASSWORD}).encode()
    padded = credentials + b" " * (1024 * 1024 - len(credentials))  # exactly the limit
    assert post_chunked(client, "/api/auth/register", padded).status_code == 201
    reply = post_chunked(client, "/api/auth/token", credentials)
    assert reply.status_code == 200 and reply.json()["access"]


def test_a_chunked_body_over_one_mebibyte_is_too_large_and_not_read_to_its_end(client):
    reply = post_chunked(client, "/api/auth/register", b" " * (1024 * 1024 + 1))
    assert_error(reply, 413, "request_too_large")
    huge = BytesIO(b" " * (8 * 1024 * 1024))
    assert_error(post_chunked(client, "/api/auth/register", b"", huge), 413, "request_too_large")
    # The limit is read, then at most the limit again is dropped: never the whole body.
    assert huge.tell() <= 2 * 1024 * 1024 + 1


@pytest.mark.parametrize("path", ["/api/items/", "/api/auth/me/", "/health/", "/nothing-here"])
def test_paths_match_exactly_and_unknown_ones_are_json_404s(auth_client, path):
    assert_error(auth_client.get(path), 404, "not_found")


def test_head_answers_like_get_without_a_body(auth_client):
    for path in ["/health", "/api/items", "/api/auth/me"]:
        get, head = auth_client.get(path), auth_client.head(path)
        assert head.status_code == get.status_code == 200
        assert head.content == b"" and head["Content-Type"] == get["Content-Type"]


@override_settings(ALLOWED_HOSTS=["api.example.com"])
def test_a_host_not_allowed_gets_a_json_400(client):
    assert_error(client.get("/health"), 400, "validation_error")


def test_the_refresh_token_of_a_logout_is_refused_again(client, user):
    tokens = client.post("/api/auth/token", {"email": user.email, "password": PASSWORD}).json()
    assert client.post("/api/auth/logout", {"refresh": tokens["refresh"]}).status_code == 204
    for path in ["/api/auth/refresh", "/api/auth/logout"]:
        assert_error(client.post(path, {"refresh": tokens["refresh"]}), 401, "token_not_valid")


def test_a_form_post_without_its_csrf_token_gets_a_json_403(user):
    browser = Client(enforce_csrf_checks=True)
    reply = browser.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert_error(reply, 403, "permission_denied")
