from django.urls import path

from . import views

urlpatterns = [
    path("verify-email", views.VerifyEmailView.as_view(), name="verify-email"),
    path("verify-email/resend", views.VerifyEmailResendView.as_view(), name="verify-email-resend"),
    path("password-reset", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/confirm",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("email-change", views.EmailChangeView.as_view(), name="email-change"),
    path(
        "email-change/confirm", views.EmailChangeConfirmView.as_view(), name="email-change-confirm"
    ),
]
