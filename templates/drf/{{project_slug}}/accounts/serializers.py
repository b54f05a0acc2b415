"""The request bodies of the account flows. Those carrying a token read it in validation (the
view runs it in a transaction, holding the user's row) and act on it in save()."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers

from ..core.serializers import StrictJSONTypes
from ..tokens import families
from ..users.models import User, UserManager
from ..users.serializers import DUPLICATE_EMAIL
from . import emails, tokens

INVALID_TOKEN = "This link is invalid or has expired."
WRONG_PASSWORD = "The password is not correct."
TOKEN_MAX, EMAIL_MAX, PASSWORD_MAX = 1024, 254, 128


class TokenSerializer(StrictJSONTypes, serializers.Serializer):
    """A body holding a token of `purpose`; validation sets self.user and self.payload."""

    purpose: tokens.Purpose
    token = serializers.CharField(max_length=TOKEN_MAX)

    def validate_token(self, token):
        try:
            self.user, self.payload = tokens.read(self.purpose, token)
        except tokens.InvalidToken as error:
            raise serializers.ValidationError(INVALID_TOKEN) from error
        return token


class VerifyEmailSerializer(TokenSerializer):
    purpose = tokens.VERIFY_EMAIL

    def save(self):
        self.user.email_verified = True
        self.user.save(update_fields=["email_verified"])


class PasswordResetSerializer(StrictJSONTypes, serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX)

    def save(self):
        email = UserManager.normalize_email(self.validated_data["email"])
        user = User.objects.filter(email=email, is_active=True).first()
        if user is not None:
            emails.send_password_reset(user)
        else:
            # No account: the same work (a query, then a token signed and thrown away) and the
            # same answer, so neither tells whether the address has an account.
            tokens.make(tokens.PASSWORD_RESET, User(email=email))


class PasswordResetConfirmSerializer(TokenSerializer):
    purpose = tokens.PASSWORD_RESET
    password = serializers.CharField(
        write_only=True, min_length=8, max_length=PASSWORD_MAX, style={"input_type": "password"}
    )

    def validate(self, attrs):
        try:
            password_validation.validate_password(attrs["password"], user=self.user)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from error
        return attrs

    def save(self):
        self.user.set_password(self.validated_data["password"])
        self.user.save(update_fields=["password"])
        # Whoever knew the old password may hold a session: every sign-in ends.
        families.revoke_all(self.user)


class EmailChangeSerializer(StrictJSONTypes, serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX)
    password = serializers.CharField(
        write_only=True, max_length=PASSWORD_MAX, style={"input_type": "password"}
    )

    def validate_email(self, email):
        email = UserManager.normalize_email(email)
        if User.objects.filter(email=email).exists():
            raise serializers.ValidationError(DUPLICATE_EMAIL)
        return email

    def validate_password(self, password):
        if not self.context["request"].user.check_password(password):
            raise serializers.ValidationError(WRONG_PASSWORD)
        return password

    def save(self):
        emails.send_email_change(self.context["request"].user, self.validated_data["email"])


class EmailChangeConfirmSerializer(TokenSerializer):
    purpose = tokens.EMAIL_CHANGE

    def save(self):
        old_email, new_email = self.user.email, self.payload.get("email")
        self.user.email, self.user.email_verified = new_email, True  # the link reached it
        try:
            with transaction.atomic():
                self.user.save(update_fields=["email", "email_verified"])
        except IntegrityError as error:  # someone registered the address since the link was sent
            raise serializers.ValidationError({"token": [INVALID_TOKEN]}) from error
        transaction.on_commit(lambda: emails.send_email_changed(old_email, new_email))
