"""A refresh token's family: the chain of rotations that starts at one sign-in.

simplejwt's token_blacklist app records every refresh token issued (OutstandingToken) and every
one revoked (BlacklistedToken). A family ties the tokens of one chain together, so that a revoked
token presented again, the sign of a stolen copy, revokes the whole chain (families.py).
"""

from django.conf import settings
from django.db import models
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken


class Family(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="token_families"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a reuse or a sign-out ends the family: none of its tokens refreshes again.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "families"

    def __str__(self):
        return f"family {self.pk} of {self.user}"


class Member(models.Model):
    """One refresh token of a family. A token issued before families existed has none: it is a
    family of its own until it is rotated."""

    token = models.OneToOneField(
        OutstandingToken, on_delete=models.CASCADE, primary_key=True, related_name="family_member"
    )
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")

    def __str__(self):
        return f"{self.token.jti} in {self.family}"
