"""Settings for the test suite: the real settings, made fast and predictable."""

from config.settings import *  # noqa: F403
from config.settings import RATE_LIMITED, REST_FRAMEWORK

# Hashing passwords properly costs ~0.3 s each; tests need speed, not secrecy.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The suite registers and logs in far more often than a person would.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(RATE_LIMITED, "10000/minute"),
}

# No service to start, whatever .env says: a cache of the test process, tasks run at once in it
# (their errors fail the test), and mail kept in django.core.mail.outbox (pytest-django).
REDIS_URL = ""
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
