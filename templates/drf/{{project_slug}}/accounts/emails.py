"""The account emails: what each says and where its link leads. Each is queued (mail/tasks.py)
with everything it needs, so sending it reads nothing from the database."""

from django.conf import settings

from ..mail.tasks import send_email
from ..users.models import User
from . import tokens

# The frontend's pages that read the token from the link and post it back to the API.
PAGES = {
    "verify_email": "/verify-email",
    "password_reset": "/reset-password",
    "email_change": "/confirm-email-change",
}


def link(page: str, token: str) -> str:
    # The token's characters (A-Za-z0-9-_.:) are all allowed in a query as they are.
    return f"{settings.FRONTEND_URL.rstrip('/')}{PAGES[page]}?token={token}"


def send_verification(user: User) -> None:
    token = tokens.make(tokens.VERIFY_EMAIL, user)
    context = {
        "link": link("verify_email", token),
        "hours": settings.EMAIL_VERIFICATION_HOURS,
        "email": user.email,
    }
    send_email.delay(to=user.email, template="verify_email", context=context)


def send_password_reset(user: User) -> None:
    token = tokens.make(tokens.PASSWORD_RESET, user)
    context = {
        "link": link("password_reset", token),
        "minutes": settings.PASSWORD_RESET_MINUTES,
        "email": user.email,
    }
    send_email.delay(to=user.email, template="password_reset", context=context)


def send_email_change(user: User, new_email: str) -> None:
    """The confirmation goes to the new address: following its link proves the user reads it."""
    token = tokens.make(tokens.EMAIL_CHANGE, user, email=new_email)
    context = {
        "link": link("email_change", token),
        "hours": settings.EMAIL_CHANGE_HOURS,
        "old_email": user.email,
        "new_email": new_email,
    }
    send_email.delay(to=new_email, template="email_change", context=context)


def send_email_changed(old_email: str, new_email: str) -> None:
    """The notice to the old address: if the owner did not ask for the change, they hear of it."""
    context = {"old_email": old_email, "new_email": new_email}
    send_email.delay(to=old_email, template="email_changed", context=context)
