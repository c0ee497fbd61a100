from django.contrib import admin
from knox.models import AuthToken

from core.models import AccountExpiry, OidcIdentity


@admin.register(AccountExpiry)
class AccountExpiryAdmin(admin.ModelAdmin):
    """Admins set or move an account's end date here; `manage.py grant_auditor` creates auditor accounts."""

    list_display = ("user", "expires_at", "granted_by", "created_at")
    raw_id_fields = ("user", "granted_by")
    search_fields = ("user__username", "user__email")


admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    """Tokens are listed by prefix and can be revoked (deleted); neither token nor digest is shown."""

    list_display = ("token_key", "user", "created", "expiry")
    fields = ("token_key", "user", "created", "expiry")
    readonly_fields = fields
    search_fields = ("token_key", "user__username")
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False  # users create their own on the API tokens page; shown once there

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    """Single-sign-on links (issuer, subject → user); deleting one unlinks that provider account."""

    list_display = ("user", "issuer", "subject", "created_at", "last_login_at")
    fields = list_display
    readonly_fields = fields
    search_fields = ("user__username", "subject", "issuer")
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False  # links are made by signing in through the provider

    def has_change_permission(self, request, obj=None) -> bool:
        return False
