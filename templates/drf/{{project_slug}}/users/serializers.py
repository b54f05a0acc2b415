from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from ..core.serializers import StrictJSONTypes
from ..tokens import families
from .models import User, UserManager

DUPLICATE_EMAIL = "A user with this email already exists."


class UserSerializer(StrictJSONTypes, serializers.ModelSerializer):
    """A user as the API shows it; only full_name can change."""

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "email_verified", "date_joined"]
        read_only_fields = ["id", "email", "email_verified", "date_joined"]


class RegisterSerializer(StrictJSONTypes, serializers.ModelSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, min_length=8, max_length=128, style={"input_type": "password"}
    )
    full_name = serializers.CharField(max_length=150, allow_blank=True, default="")

    class Meta:
        model = User
        fields = ["id", "email", "password", "full_name", "email_verified", "date_joined"]
        read_only_fields = ["id", "email_verified", "date_joined"]

    def validate_email(self, email):
        email = UserManager.normalize_email(email)
        if User.objects.filter(email=email).exists():
            raise serializers.ValidationError(DUPLICATE_EMAIL)
        return email

    def validate(self, attrs):
        candidate = User(email=attrs["email"], full_name=attrs.get("full_name", ""))
        try:
            password_validation.validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from error
        return attrs

    def create(self, validated_data):
        # validate_email's check races with a registration of the same email running at the same
        # time: the unique index decides, and the loser gets the same 400.
        try:
            with transaction.atomic():
                return User.objects.create_user(**validated_data)
        except IntegrityError as error:
            raise serializers.ValidationError({"email": [DUPLICATE_EMAIL]}) from error


# Every string a request sends has a bound: these are the sign-in and refresh ones.
EMAIL_MAX, PASSWORD_MAX, REFRESH_MAX = 254, 128, 1024


# Documents the body of POST /api/auth/token (the schema's TokenRequest); SignInSerializer
# reads it.
@extend_schema_serializer(component_name="Token")
class TokenRequestSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=EMAIL_MAX)
    password = serializers.CharField(write_only=True, max_length=PASSWORD_MAX)


class SignInSerializer(jwt_serializers.TokenObtainPairSerializer):
    """simplejwt's sign-in, with TokenRequest's limits (simplejwt adds its two fields in
    __init__ without one, so they are replaced there), starting a family of refresh tokens."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = serializers.CharField(
            write_only=True, max_length=EMAIL_MAX
        )
        self.fields["password"] = jwt_serializers.PasswordField(max_length=PASSWORD_MAX)

    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        families.start(token, user)
        return token


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


def check_holder(raw_token: str) -> None:
    """A refresh token whose user is deleted or inactive is not valid (simplejwt 5.5 would raise
    DoesNotExist for a deleted one: a 500). Its own errors (expired, revoked) stay its own."""
    try:
        user_id = RefreshToken(raw_token).payload.get(api_settings.USER_ID_CLAIM)
    except TokenError:  # simplejwt's view answers it with token_not_valid
        return
    holder = {api_settings.USER_ID_FIELD: user_id, "is_active": True}
    if user_id is None or not User.objects.filter(**holder).exists():
        raise InvalidToken("The token's user no longer exists or is inactive.")


@extend_schema_serializer(component_name="Refresh")  # the schema's RefreshRequest
class RefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    refresh = serializers.CharField(max_length=REFRESH_MAX)

    def validate(self, attrs):
        check_holder(attrs["refresh"])
        return families.rotate(attrs["refresh"])  # atomic, with reuse detection


class LogoutSerializer(jwt_serializers.TokenBlacklistSerializer):
    refresh = serializers.CharField(write_only=True, max_length=REFRESH_MAX)

    def validate(self, attrs):
        check_holder(attrs["refresh"])
        families.sign_out(attrs["refresh"])
        return {}
