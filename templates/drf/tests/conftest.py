import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from .factories import PASSWORD, UserFactory


@pytest.fixture
def client():
    """A client speaking JSON, like the API's real clients."""
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def auth_client(client, user):
    """A client signed in as `user` with a real access token."""
    reply = client.post("/api/auth/token", {"email": user.email, "password": PASSWORD})
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {reply.json()['access']}")
    return client


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate limit counts live in the cache, which outlives a test: each test starts at zero."""
    cache.clear()
