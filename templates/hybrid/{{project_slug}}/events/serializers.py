from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Event


# A JSON object, as the realtime service accepts it (its EventRequest.data).
@extend_schema_field({"type": "object", "additionalProperties": True})
class DataField(serializers.JSONField):
    pass


class EventSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=100, read_only=True)
    data = DataField(read_only=True)

    class Meta:
        model = Event
        fields = ["id", "name", "data", "created_at"]
        read_only_fields = fields
