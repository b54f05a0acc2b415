import pytest
from rest_framework.throttling import ScopedRateThrottle

from .errors import assert_error
from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_register_returns_the_user_with_a_lowercased_email(client):
    reply = client.post("/api/auth/register", {"email": "Ada@Example.COM", "password": PASSWORD})
    assert reply.status_code == 201, reply.content
    assert set(reply.json()) == {"id", "email", "full_name", "date_joined"}
    assert reply.json()["email"] == "ada@example.com"


def test_register_refuses_a_duplicate_email_whatever_its_case(client, user):
    reply = client.post("/api/auth/register", {"email": user.email.upper(), "password": PASSWORD})
    assert_error(reply, 400, "validation_error", "email")


@pytest.mark.parametrize("password", ["short1", "12345678901", "password123"])
def test_register_refuses_a_weak_password(client, password):
    reply = client.post("/api/auth/register", {"email": "ada@example.com", "password": password})
    assert_error(reply, 400, "validation_error", "password")


def test_token_needs_the_right_password(client, user):
    reply = client.post("/api/auth/token", {"email": user.email, "password": "wrong-password-1"})
    assert_error(reply, 401, "authentication_failed")


def test_me_needs_a_valid_access_token(client, user):
    assert_error(client.get("/api/auth/me"), 401, "not_authenticated")
    client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    assert_error(client.get("/api/auth/me"), 401, "token_not_valid")


def test_me_shows_and_updates_only_the_full_name(auth_client, user):
    assert auth_client.get("/api/auth/me").json()["email"] == user.email
    reply = auth_client.patch("/api/auth/me", {"full_name": "Ada", "email": "new@example.com"})
    assert reply.status_code == 200
    assert reply.json()["full_name"] == "Ada"
    assert reply.json()["email"] == user.email


def test_refresh_rotates_and_logout_revokes(client, user):
    tokens = client.post("/api/auth/token", {"email": user.email, "password": PASSWORD}).json()

    rotated = client.post("/api/auth/refresh", {"refresh": tokens["refresh"]})
    assert rotated.status_code == 200
    assert_error(
        client.post("/api/auth/refresh", {"refresh": tokens["refresh"]}), 401, "token_not_valid"
    )

    new_refresh = rotated.json()["refresh"]
    assert client.post("/api/auth/logout", {"refresh": new_refresh}).status_code == 204
    assert_error(client.post("/api/auth/refresh", {"refresh": new_refresh}), 401, "token_not_valid")


def test_a_refresh_token_is_not_an_access_token(client, user):
    tokens = client.post("/api/auth/token", {"email": user.email, "password": PASSWORD}).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['refresh']}")
    assert_error(client.get("/api/auth/me"), 401, "token_not_valid")


def test_auth_endpoints_are_rate_limited(client, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/minute"})
    user = UserFactory()
    for _ in range(2):
        client.post("/api/auth/token", {"email": user.email, "password": "wrong-password-1"})
    reply = client.post("/api/auth/token", {"email": user.email, "password": PASSWORD})
    assert_error(reply, 429, "throttled")
