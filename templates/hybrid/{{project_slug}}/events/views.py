from drf_spectacular.utils import extend_schema
from rest_framework import generics

from .models import Event
from .serializers import EventSerializer


@extend_schema(summary="List your events")
class EventListView(generics.ListAPIView):
    """The signed-in user's events, newest first. Send them with POST /api/events (the realtime
    service); follow them live on /api/events/stream."""

    serializer_class = EventSerializer
    filterset_fields = ["name"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return Event.objects.filter(user_id=self.request.user.pk)
