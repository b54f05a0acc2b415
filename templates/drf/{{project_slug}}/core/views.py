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


class HealthView(APIView):
    """200 when the app can query its database, 503 when it cannot (for load balancers)."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        summary="Health check",
        tags=["health"],
        responses={200: HealthSerializer, 503: HealthSerializer},
    )
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            return Response(
                {"status": "unavailable", "database": "unavailable"},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({"status": "ok", "database": "ok"})


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([])
def api_not_found(request):
    """Unknown /api/ paths answer with the API's JSON error shape, not an HTML page."""
    raise NotFound(f"No API endpoint at {request.path}.")
