from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed

UNVERIFIED = "Verify your email address first: follow the link in the email we sent you."


def may_sign_in(user) -> bool:
    """simplejwt's USER_AUTHENTICATION_RULE: an active user, and with REQUIRE_VERIFIED_EMAIL a
    verified one (told so: the password was right). Checked before any token is issued."""
    if user is None or not user.is_active:
        return False
    if settings.REQUIRE_VERIFIED_EMAIL and not user.email_verified:
        raise AuthenticationFailed(UNVERIFIED)
    return True
