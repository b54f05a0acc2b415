"""The realtime service accepts the access tokens this core issues, whatever the environment
says: both resolve the signing key by one rule (JWT_SIGNING_KEY; in development, else SECRET_KEY,
else the same development key) from the same environment and `.env` file. The stream tickets
the service mints with that key are good for its stream only: this core refuses them."""

import pytest
from realtime import tickets
from realtime.auth import decode_access_token
from realtime.settings import Settings
from rest_framework_simplejwt.tokens import AccessToken

pytestmark = pytest.mark.django_db


def test_the_service_verifies_the_access_tokens_the_core_signs(user):
    token = str(AccessToken.for_user(user))
    assert decode_access_token(token, Settings().jwt_signing_key).user_id == user.id


def test_the_core_refuses_a_stream_ticket_as_a_token(client, user):
    key = Settings().jwt_signing_key
    ticket, _ = tickets.mint(decode_access_token(str(AccessToken.for_user(user)), key), key)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {ticket}")
    for reply in (client.get("/api/auth/me"), client.get("/api/events")):
        assert reply.status_code == 401 and reply.json()["code"] == "token_not_valid"
    client.credentials()
    for path in ("/api/auth/refresh", "/api/auth/logout"):
        reply = client.post(path, {"refresh": ticket})
        assert reply.status_code == 401 and reply.json()["code"] == "token_not_valid", path
