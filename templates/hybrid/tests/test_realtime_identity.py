"""The realtime service accepts the access tokens this core issues, whatever the environment
says: both resolve the signing key by one rule (JWT_SIGNING_KEY; in development, else SECRET_KEY,
else the same development key) from the same environment and `.env` file."""

import pytest
from realtime.auth import decode_access_token
from realtime.settings import Settings
from rest_framework_simplejwt.tokens import AccessToken

pytestmark = pytest.mark.django_db


def test_the_service_verifies_the_access_tokens_the_core_signs(user):
    token = str(AccessToken.for_user(user))
    assert decode_access_token(token, Settings().jwt_signing_key) == user.id
