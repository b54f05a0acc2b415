from django.conf import settings
from django.db import models


class Event(models.Model):
    """Something that happened to a user, ingested in volume by the realtime service.

    Django owns this table and its migrations; the service writes rows into it and maps it in
    services/realtime/realtime/tables.py, which a test keeps in step with this model.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events"
    )
    name = models.CharField(max_length=100)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="event_user_newest")]

    def __str__(self):
        return self.name
