"""The account flows (contract.md, "Account emails"): each email carries a link to the frontend,
whose page posts the link's token back here. The emails go through the task queue
(mail/tasks.py)."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from . import emails, throttles
from .serializers import (
    EmailChangeConfirmSerializer,
    EmailChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    VerifyEmailSerializer,
)


class AccountView(APIView):
    """A body in, a bare status out. No access token: the token or the email in the body is all
    these views need."""

    serializer_class = None
    done = status.HTTP_204_NO_CONTENT
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    def post(self, request):
        serializer = self.serializer_class(data=request.data, context={"request": request})
        # One transaction: a token's user stays locked from its check to its use (tokens.read).
        with transaction.atomic():
            serializer.is_valid(raise_exception=True)
            serializer.save()
        return Response(status=self.done)


def documented(summary: str, done: int, description: str, request=None):
    return extend_schema(
        summary=summary, request=request, responses={done: OpenApiResponse(description=description)}
    )


class VerifyEmailView(AccountView):
    serializer_class = VerifyEmailSerializer
    throttle_classes = [throttles.VerifyEmailRateThrottle]

    @documented(
        "Verify your email address", 204, "The email address is verified", VerifyEmailSerializer
    )
    def post(self, request):
        return super().post(request)


class VerifyEmailResendView(APIView):
    throttle_classes = [throttles.VerifyEmailResendRateThrottle]

    @documented("Send the verification email again", 202, "A verification email is queued")
    def post(self, request):
        if not request.user.email_verified:
            emails.send_verification(request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetView(AccountView):
    serializer_class = PasswordResetSerializer
    throttle_classes = [throttles.PasswordResetRateThrottle]
    done = status.HTTP_202_ACCEPTED

    @documented(
        "Ask for a password reset email",
        202,
        "A reset email is queued if the address has an account",
        PasswordResetSerializer,
    )
    def post(self, request):
        return super().post(request)


class PasswordResetConfirmView(AccountView):
    serializer_class = PasswordResetConfirmSerializer
    throttle_classes = [throttles.PasswordResetConfirmRateThrottle]

    @documented(
        "Set a new password with a reset token",
        204,
        "The password is changed; every refresh token of the user is revoked",
        PasswordResetConfirmSerializer,
    )
    def post(self, request):
        return super().post(request)


class EmailChangeView(AccountView):
    serializer_class = EmailChangeSerializer
    throttle_classes = [throttles.EmailChangeRateThrottle]
    done = status.HTTP_202_ACCEPTED
    # Signed in: the account whose address changes is the caller's.
    authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
    permission_classes = api_settings.DEFAULT_PERMISSION_CLASSES

    @documented(
        "Ask to change your email address",
        202,
        "A confirmation email is queued to the new address",
        EmailChangeSerializer,
    )
    def post(self, request):
        return super().post(request)


class EmailChangeConfirmView(AccountView):
    serializer_class = EmailChangeConfirmSerializer
    throttle_classes = [throttles.EmailChangeConfirmRateThrottle]

    @documented(
        "Confirm your new email address",
        204,
        "The email address is changed",
        EmailChangeConfirmSerializer,
    )
    def post(self, request):
        return super().post(request)
