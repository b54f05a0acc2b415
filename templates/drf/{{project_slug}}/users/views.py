"""Registration, JWT tokens (obtain, rotate, revoke) and the current user's profile."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt import views as jwt_views

from .serializers import RegisterSerializer, UserSerializer


class AuthRateLimited:
    """Counts requests per client IP against the "auth" rate (AUTH_RATE_LIMIT)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class RegisterView(AuthRateLimited, generics.CreateAPIView):
    serializer_class = RegisterSerializer
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={201: UserSerializer})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class TokenObtainView(AuthRateLimited, jwt_views.TokenObtainPairView):
    """Email and password in, an access and a refresh token out."""


class TokenRefreshView(AuthRateLimited, jwt_views.TokenRefreshView):
    """A refresh token in, a new access and refresh token out; the old refresh token is revoked."""


class LogoutView(jwt_views.TokenBlacklistView):
    """Revokes the given refresh token: holding it is the credential, no access token needed."""

    @extend_schema(responses={204: None})
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(generics.RetrieveUpdateAPIView):
    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user
