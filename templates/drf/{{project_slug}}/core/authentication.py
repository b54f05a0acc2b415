from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's bearer tokens, where the token of a deleted or deactivated user is what it has
    become: not valid (401 token_not_valid), like an expired or revoked one."""

    def get_user(self, validated_token):
        try:
            return super().get_user(validated_token)
        except InvalidToken:
            raise
        except AuthenticationFailed as error:
            raise InvalidToken("The token's user no longer exists or is inactive.") from error
