from rest_framework import generics

from .models import Event
from .serializers import EventSerializer


class EventListView(generics.ListAPIView):
    """The signed-in user's events, newest first. The realtime service ingests them."""

    serializer_class = EventSerializer
    filterset_fields = ["name"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return Event.objects.filter(user_id=self.request.user.pk)
