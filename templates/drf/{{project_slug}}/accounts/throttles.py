"""The account flows' rate limits, each a bucket of its own at AUTH_RATE_LIMIT (users/throttles.py
says how the client IP is read): the token links per client IP, a password reset request per
email and client IP, what a signed-in user asks for per user."""

from ..users.throttles import AuthRateThrottle, SignInRateThrottle


class PerUserRateThrottle(AuthRateThrottle):
    def bucket(self, request) -> str:
        return f"user-{request.user.pk}"  # throttles run after authentication


class VerifyEmailRateThrottle(AuthRateThrottle):
    scope = "verify_email"


class VerifyEmailResendRateThrottle(PerUserRateThrottle):
    scope = "verify_email_resend"


class PasswordResetRateThrottle(SignInRateThrottle):  # the sign-in's bucket: email and client IP
    scope = "password_reset"


class PasswordResetConfirmRateThrottle(AuthRateThrottle):
    scope = "password_reset_confirm"


class EmailChangeRateThrottle(PerUserRateThrottle):
    scope = "email_change"


class EmailChangeConfirmRateThrottle(AuthRateThrottle):
    scope = "email_change_confirm"
