"""Registration, JWT tokens (obtain, rotate, revoke) and the current user's profile."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework_simplejwt import views as jwt_views

from ..accounts.emails import send_verification
from .serializers import (
    LogoutSerializer,
    RefreshSerializer,
    RegisterSerializer,
    SignInSerializer,
    TokenPairSerializer,
    TokenRequestSerializer,
    UserSerializer,
)
from .throttles import RefreshRateThrottle, RegisterRateThrottle, SignInRateThrottle


class RegisterView(generics.CreateAPIView):
    """An email and a password in, the new account out; then get tokens at /api/auth/token."""

    serializer_class = RegisterSerializer
    throttle_classes = [RegisterRateThrottle]
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(summary="Create an account", responses={201: UserSerializer})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def perform_create(self, serializer):
        send_verification(serializer.save())


@extend_schema(
    summary="Sign in: get an access and a refresh token",
    request=TokenRequestSerializer,
    responses={200: TokenPairSerializer},
)
class TokenObtainView(jwt_views.TokenObtainPairView):
    """Email and password in, an access and a refresh token out."""

    serializer_class = SignInSerializer
    throttle_classes = [SignInRateThrottle]


@extend_schema(summary="Refresh the tokens", responses={200: TokenPairSerializer})
class TokenRefreshView(jwt_views.TokenRefreshView):
    """A refresh token in, a new access and refresh token out; the old refresh token is revoked."""

    serializer_class = RefreshSerializer
    throttle_classes = [RefreshRateThrottle]


class LogoutView(jwt_views.TokenBlacklistView):
    """Revokes the given refresh token: holding it is the credential, no access token needed."""

    serializer_class = LogoutSerializer

    @extend_schema(
        summary="Sign out: revoke a refresh token", request=RefreshSerializer, responses={204: None}
    )
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(summary="Read your profile"),
    patch=extend_schema(summary="Update your profile"),
)
class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in user's own account."""

    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user
