from rest_framework import viewsets

from .models import Item
from .serializers import ItemSerializer


class ItemViewSet(viewsets.ModelViewSet):
    """The signed-in user's items. Other users' items are outside the queryset, hence 404."""

    serializer_class = ItemSerializer
    filterset_fields = ["done"]
    search_fields = ["title", "description"]
    ordering_fields = ["created_at", "updated_at", "title"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        # By id, so that schema generation (with no signed-in user) gets an empty queryset.
        return Item.objects.filter(owner_id=self.request.user.pk)

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)
