from rest_framework import serializers

from ..core.serializers import StrictJSONTypes
from .models import Item


class ItemSerializer(StrictJSONTypes, serializers.ModelSerializer):
    # Declared for what the schema promises: a PUT without them resets them to these defaults.
    # The column is a TEXT without a limit; the API bounds what it takes (no migration needed).
    description = serializers.CharField(allow_blank=True, default="", max_length=10_000)
    done = serializers.BooleanField(default=False)

    class Meta:
        model = Item
        fields = ["id", "title", "description", "done", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
