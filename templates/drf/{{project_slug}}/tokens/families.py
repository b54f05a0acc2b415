"""Refresh token rotation with reuse detection (OAuth 2.0 Security BCP, refresh token rotation).

Every refresh token belongs to a family, the chain of rotations from one sign-in. Rotating a
token revokes it and adds its successor to the family. A unique constraint, not a read, decides
which rotation wins: BlacklistedToken has one row per token, so of N refreshes of one token at
once, one inserts that row and mints a successor, the others fail the insert. Presenting a token
that is already revoked (rotated, signed out, or racing its own rotation) is reuse: an attacker
or the victim holds a copy, and nobody can tell which, so the whole family is revoked. Clients
therefore refresh once at a time.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from .models import Family, Member

REUSED = "The refresh token was already used or revoked: every token of its sign-in is revoked."


class PresentedToken(RefreshToken):
    """A refresh token as a client presents it: signature, expiry and type are checked, its
    revocation is not: rotate() and sign_out() decide what presenting a revoked one means."""

    def check_blacklist(self):
        pass


class Reused(Exception):
    pass


def read(raw: str) -> PresentedToken:
    try:
        return PresentedToken(raw)
    except TokenError as error:
        raise InvalidToken(str(error)) from error


def start(token: RefreshToken, user) -> None:
    """A sign-in: its refresh token (already outstanding) starts a new family."""
    with transaction.atomic():
        family = Family.objects.create(user=user)
        Member.objects.create(token=outstanding(token), family=family)


def rotate(raw: str) -> dict[str, str]:
    """A new access token and a successor refresh token; the presented one is revoked. Reuse
    revokes the family and answers 401 token_not_valid."""
    token = read(raw)
    presented = outstanding(token)
    try:
        with transaction.atomic():
            family = family_of(presented)
            if family.revoked_at is not None:
                raise Reused
            # The decision: one row per token, so one rotation of it wins (the losers wait for
            # the winner's commit on PostgreSQL, for its lock on SQLite, then fail here).
            BlacklistedToken.objects.create(token=presented)
            access = str(token.access_token)
            token.set_jti()
            token.set_exp()
            token.set_iat()
            Member.objects.create(token=outstanding(token), family=family)
    except (IntegrityError, Reused):
        revoke(presented)
        raise InvalidToken(REUSED) from None
    return {"access": access, "refresh": str(token)}


def sign_out(raw: str) -> None:
    """Logout: the family of the token ends. A token already revoked is reuse (401)."""
    presented = outstanding(read(raw))
    member = Member.objects.filter(token=presented).select_related("family").first()
    was_revoked = BlacklistedToken.objects.filter(token=presented).exists() or (
        member is not None and member.family.revoked_at is not None
    )
    revoke(presented)
    if was_revoked:
        raise InvalidToken(REUSED)


def revoke(token: OutstandingToken) -> None:
    """Revoke the token's family: mark it, and blacklist each of its tokens, so that simplejwt's
    own checks refuse them too. A token without a family is a family of its own."""
    with transaction.atomic():
        member = Member.objects.filter(token=token).first()
        tokens = [token]
        if member is not None:
            family = Family.objects.filter(pk=member.family_id)
            family.filter(revoked_at=None).update(revoked_at=timezone.now())
            tokens = OutstandingToken.objects.filter(family_member__family_id=member.family_id)
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=each) for each in tokens], ignore_conflicts=True
        )


def revoke_all(user) -> None:
    """Every sign-in of the user ends (a password reset): each family is marked, and each refresh
    token the user holds, in a family or not, is blacklisted."""
    with transaction.atomic():
        Family.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
        held = {"blacklistedtoken__isnull": True, "expires_at__gt": timezone.now()}
        tokens = OutstandingToken.objects.filter(user=user, **held)
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=each) for each in tokens], ignore_conflicts=True
        )


def family_of(token: OutstandingToken) -> Family:
    """The token's family; a token issued before families existed gets one of its own now."""
    member = Member.objects.filter(token=token).select_related("family").first()
    if member is not None:
        return member.family
    family = Family.objects.create(user_id=token.user_id)
    Member.objects.create(token=token, family=family)  # racing rotations: one insert wins
    return family


def bucket(raw) -> str | None:
    """What the refresh rate limit counts for this token: its family (a token without one is
    its own), or None when the token cannot be read (then the client IP is counted)."""
    if not isinstance(raw, str) or not raw:  # PresentedToken(None) would mint a new token
        return None
    try:
        token = PresentedToken(raw)
    except TokenError:
        return None
    jti = token[api_settings.JTI_CLAIM]
    family = Member.objects.filter(token__jti=jti).values_list("family_id", flat=True).first()
    return f"family-{family}" if family is not None else f"token-{jti}"


def outstanding(token: RefreshToken) -> OutstandingToken:
    """The token's record in simplejwt's outstanding list, written if missing (as simplejwt's
    own blacklist() does)."""
    record, _ = OutstandingToken.objects.get_or_create(
        jti=token[api_settings.JTI_CLAIM],
        defaults={
            "user_id": token.get(api_settings.USER_ID_CLAIM),
            "token": str(token),
            "created_at": token.current_time,
            "expires_at": datetime_from_epoch(token["exp"]),
        },
    )
    return record
