from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from .models import Item
from .serializers import ItemSerializer


@extend_schema_view(
    list=extend_schema(summary="List your items"),
    create=extend_schema(summary="Create an item"),
    retrieve=extend_schema(summary="Read an item"),
    update=extend_schema(summary="Replace an item"),
    partial_update=extend_schema(summary="Update an item"),
    destroy=extend_schema(summary="Delete an item"),
)
class ItemViewSet(viewsets.ModelViewSet):
    """Your own items: another user's item answers 404, as if it did not exist."""

    serializer_class = ItemSerializer
    filterset_fields = ["done"]
    search_fields = ["title", "description"]
    ordering_fields = ["title", "created_at", "updated_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        # Only the owner's rows: another user's item is not found (404), never forbidden (403).
        # By id, so that schema generation (with no signed-in user) gets an empty queryset.
        return Item.objects.filter(owner_id=self.request.user.pk)

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)
