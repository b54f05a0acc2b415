"""The realtime service: high-volume event ingestion and a live stream, beside the Django core."""
