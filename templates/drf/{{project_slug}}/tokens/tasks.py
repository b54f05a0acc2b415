"""The daily cleanup of refresh tokens, scheduled in config/celery.py (`make cleanup` runs it
by hand).

simplejwt keeps a row for every refresh token it issues (OutstandingToken) and every one revoked
(BlacklistedToken); once a token has expired it can never be used again, so its rows only take
space. Deleting them deletes their family memberships too; a family left with no token (an
ended or abandoned sign-in) goes with them. Safe to run at any time, and twice.
"""

import logging

from celery import shared_task
from django.core.management import call_command

from .models import Family

logger = logging.getLogger(__name__)


@shared_task
def cleanup_tokens() -> int:
    """Delete expired refresh tokens and the families left empty; return how many families."""
    call_command("flushexpiredtokens")
    families, _ = Family.objects.filter(members__isnull=True).delete()
    logger.info("token cleanup: %s empty token families deleted", families)
    return families
