# The Celery app loads with Django, so every @shared_task binds to it (config/celery.py).
from config.celery import app as celery_app

__all__ = ["celery_app"]
