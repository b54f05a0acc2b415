from typing import Any

from celery import Task
from celery.utils.time import get_exponential_backoff_interval

from ..core.email_url import parse_email_url
from ..core.settings import get_settings
from ..worker import celery_app
from .render import render_email
from .send import deliver, is_transient

# Transient failures are tried again after about 10 s, 20 s, 40 s ... up to 10 minutes apart, for
# about an hour in all; then the task fails and the worker logs it.
MAX_RETRIES = 8
BACKOFF_SECONDS = 10
BACKOFF_MAX_SECONDS = 600


@celery_app.task(bind=True, max_retries=MAX_RETRIES)
def send_email(self: Task, to: str, template: str, context: dict[str, Any]) -> None:
    """Renders mail/templates/<template>* with `context` and sends it to `to`.

    Everything comes in the arguments (no database read), so a retry or a redelivery sends the
    same mail; it keeps its Message-ID (the task's id), by which mail systems drop duplicates."""
    settings = get_settings()
    message = render_email(template, context, settings.default_from_email, to)
    domain = settings.default_from_email.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{self.request.id}@{domain}>"
    try:
        deliver(message, parse_email_url(settings.email_url))
    except Exception as error:
        # Eager (no REDIS_URL): no worker to try again later; the failure is logged.
        if self.request.is_eager or not is_transient(error):
            raise
        countdown = get_exponential_backoff_interval(
            BACKOFF_SECONDS, self.request.retries, BACKOFF_MAX_SECONDS, full_jitter=True
        )
        raise self.retry(exc=error, countdown=countdown) from error
