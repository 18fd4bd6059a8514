"""Admin for connections and boards. Tokens are never displayed or editable as text:
a connection shows whether each token is set and when it expires."""

from django.contrib import admin
from django.utils import timezone
from django.utils.timesince import timeuntil

from pinpublisher.admin_scoping import TenantScopedAdmin
from pinterest.models import Board, PinterestConnection


def _expiry(value):
    if value is None:
        return "unknown"
    now = timezone.now()
    if value <= now:
        return "expired"
    return f"in {timeuntil(value, now)}"


class BoardInline(admin.TabularInline):
    model = Board
    extra = 0
    fields = ("name", "pinterest_board_id", "privacy", "is_archived", "synced_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PinterestConnection)
class PinterestConnectionAdmin(TenantScopedAdmin):
    tenant_path = "tenant_id"
    list_display = (
        "__str__",
        "tenant",
        "is_active",
        "access_token_status",
        "refresh_token_status",
        "last_refreshed_at",
        "short_last_error",
    )
    list_filter = ("is_active", "tenant")
    search_fields = ("username", "pinterest_user_id", "tenant__name")
    # The encrypted fields are deliberately absent: they are never shown or edited as text.
    fields = (
        "tenant",
        "pinterest_user_id",
        "username",
        "is_active",
        "scopes",
        "access_token_status",
        "access_token_expires_at",
        "refresh_token_status",
        "refresh_token_expires_at",
        "last_refreshed_at",
        "last_error",
        "next_publish_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "access_token_status",
        "refresh_token_status",
        "access_token_expires_at",
        "refresh_token_expires_at",
        "last_refreshed_at",
        "next_publish_at",
        "created_at",
        "updated_at",
    )
    inlines = [BoardInline]

    @admin.display(description="access token")
    def access_token_status(self, obj):
        if not obj.has_access_token:
            return "not set"
        return f"set, expires {_expiry(obj.access_token_expires_at)}"

    @admin.display(description="refresh token")
    def refresh_token_status(self, obj):
        if not obj.has_refresh_token:
            return "not set"
        return f"set, expires {_expiry(obj.refresh_token_expires_at)}"

    @admin.display(description="last error")
    def short_last_error(self, obj):
        return (obj.last_error[:80] + "...") if len(obj.last_error) > 80 else obj.last_error


@admin.register(Board)
class BoardAdmin(TenantScopedAdmin):
    tenant_path = "connection__tenant_id"
    list_display = ("name", "connection", "pinterest_board_id", "privacy", "is_archived", "synced_at")
    list_filter = ("is_archived", "privacy")
    search_fields = ("name", "pinterest_board_id", "connection__username")
    list_select_related = ("connection",)
    readonly_fields = ("synced_at", "created_at")
