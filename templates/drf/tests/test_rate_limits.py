"""Each rate limit is a bucket of its own: register per IP, sign-in per email and IP, refresh per
token family, the admin's login form per username and IP."""

import pytest
from django.test import Client, override_settings
from rest_framework.throttling import SimpleRateThrottle

from .errors import assert_error
from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(monkeypatch):
    """Every API bucket at 2 requests a minute."""
    rates = dict.fromkeys(["register", "token", "refresh"], "2/minute")
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    return 2


def sign_in(client, email, password=PASSWORD):
    return client.post("/api/auth/token", {"email": email, "password": password})


def test_register_is_limited_per_ip_without_blocking_sign_in(client, limit):
    for n in range(limit):
        body = {"email": f"new{n}@example.com", "password": PASSWORD}
        assert client.post("/api/auth/register", body).status_code == 201
    reply = client.post("/api/auth/register", {"email": "late@example.com", "password": PASSWORD})
    assert_error(reply, 429, "throttled")
    assert reply["Retry-After"]
    assert sign_in(client, "new0@example.com").status_code == 200


def test_sign_in_is_limited_per_email_whatever_its_case(client, limit):
    guessed, other = UserFactory(), UserFactory()
    for _ in range(limit):
        assert sign_in(client, guessed.email.upper(), "wrong-password-1").status_code == 401
    assert_error(sign_in(client, f" {guessed.email} "), 429, "throttled")
    assert sign_in(client, other.email).status_code == 200


def test_sign_in_is_limited_per_client_ip(client, limit):
    user = UserFactory()
    for _ in range(limit):
        sign_in(client, user.email, "wrong-password-1")
    elsewhere = {"REMOTE_ADDR": "203.0.113.7"}
    reply = client.post("/api/auth/token", {"email": user.email, "password": PASSWORD}, **elsewhere)
    assert reply.status_code == 200


def test_refresh_is_limited_per_family(client, limit):
    user = UserFactory()
    family, other = sign_in(client, user.email).json(), sign_in(client, user.email).json()
    token = family["refresh"]
    for _ in range(limit):
        reply = client.post("/api/auth/refresh", {"refresh": token})
        assert reply.status_code == 200, reply.content
        token = reply.json()["refresh"]
    assert_error(client.post("/api/auth/refresh", {"refresh": token}), 429, "throttled")
    assert client.post("/api/auth/refresh", {"refresh": other["refresh"]}).status_code == 200


def test_unreadable_refresh_tokens_are_limited_per_ip(client, limit):
    for _ in range(limit):
        assert_error(client.post("/api/auth/refresh", {"refresh": "x"}), 401, "token_not_valid")
    assert_error(client.post("/api/auth/refresh", {"refresh": "y"}), 429, "throttled")


@override_settings(ADMIN_LOGIN_RATE_LIMIT="3/minute")
def test_admin_login_is_limited_per_username_and_ip():
    client = Client()  # a browser posting the form
    staff = UserFactory(is_staff=True)
    form = {"username": "victim@example.com", "password": "guess-1"}
    for _ in range(3):
        assert client.post("/admin/login/", form).status_code == 200  # the form, with its error
    reply = client.post("/admin/login/", form)
    assert_error(reply, 429, "throttled")
    assert int(reply["Retry-After"]) > 0
    signed_in = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert signed_in.status_code == 302


@override_settings(ADMIN_LOGIN_RATE_LIMIT="3/minute")
def test_a_forged_forwarded_header_does_not_open_a_new_bucket():
    # NUM_PROXIES=0 (no proxy in front): X-Forwarded-For is the client's to write, so ignored.
    client = Client()
    form = {"username": "victim@example.com", "password": "guess-1"}
    for n in range(3):
        client.post("/admin/login/", form, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    reply = client.post("/admin/login/", form, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert_error(reply, 429, "throttled")
