from django.contrib import admin

from core.models import AccountExpiry


@admin.register(AccountExpiry)
class AccountExpiryAdmin(admin.ModelAdmin):
    """Admins set or move an account's end date here; `manage.py grant_auditor` creates auditor accounts."""

    list_display = ("user", "expires_at", "granted_by", "created_at")
    raw_id_fields = ("user", "granted_by")
    search_fields = ("user__username", "user__email")
