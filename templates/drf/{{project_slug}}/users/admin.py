from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from ..accounts import emails
from .models import User


class UserCreationAdminForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, keyed by email instead of a username."""

    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ["email", "full_name", "email_verified", "is_staff", "is_active", "date_joined"]
    list_filter = ["email_verified", "is_staff", "is_superuser", "is_active"]
    actions = ["resend_verification", "send_password_reset"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name", "email_verified"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    @admin.action(description="Resend verification email")
    def resend_verification(self, request, queryset):
        users = queryset.filter(email_verified=False, is_active=True)
        for user in users:
            emails.send_verification(user)
        self.message_user(request, f"Verification email queued for {len(users)} user(s).")
        if skipped := queryset.count() - len(users):
            self.message_user(
                request, f"{skipped} already verified or inactive: none sent.", messages.WARNING
            )

    @admin.action(description="Send password reset email")
    def send_password_reset(self, request, queryset):
        users = queryset.filter(is_active=True)
        for user in users:
            emails.send_password_reset(user)
        self.message_user(request, f"Password reset email queued for {len(users)} user(s).")
