from functools import cache

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

STATES = ["ok", "unavailable"]


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATES)
    database = serializers.ChoiceField(choices=STATES)
    redis = serializers.ChoiceField(choices=STATES, required=False)
    sometimes_sent = ("redis",)  # only when REDIS_URL is set (core/schema.py)


@cache
def redis_client() -> redis.Redis:
    """One client (and its connection pool) per process, for the health check."""
    timeout = settings.REDIS_TIMEOUT_SECONDS
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
    )


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unavailable"
    return "ok"


def redis_state() -> str:
    try:
        redis_client().ping()
    except redis.RedisError:
        return "unavailable"
    return "ok"


class HealthView(APIView):
    """200 when the app can query its database (and reach Redis, when it uses one), 503 when it
    cannot (for load balancers)."""

    # The docstring is the schema's description, read by clients: "when it uses one" is when
    # REDIS_URL is set, and only then does the answer carry "redis".

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        summary="Health check",
        tags=["health"],
        responses={200: HealthSerializer, 503: HealthSerializer},
    )
    def get(self, request):
        body = {"database": database_state()}
        if settings.REDIS_URL:
            body["redis"] = redis_state()
        healthy = all(state == "ok" for state in body.values())
        return Response(
            {"status": "ok" if healthy else "unavailable", **body},
            status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE,
        )


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([])
def api_not_found(request):
    """Unknown /api/ paths answer with the API's JSON error shape, not an HTML page."""
    raise NotFound(f"No API endpoint at {request.path}.")
