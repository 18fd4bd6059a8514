"""Admin for feeds: a read-only view of every feed and its health (tenant-scoped like every admin
page). Feeds are added, changed and removed through the API (``feeds.services.feeds``), whose
rules (the address rule, the limit per project) a form here would have to repeat."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from feeds.models import Feed
from pinpublisher.admin_scoping import TenantScopedAdmin


@admin.register(Feed)
class FeedAdmin(TenantScopedAdmin):
    tenant_path = "project__tenant_id"
    list_display = ("url", "project", "kind", "health", "consecutive_failures", "last_ok_at", "next_poll_at")
    list_filter = ("is_active", "kind")
    search_fields = ("url", "last_error")
    list_select_related = ("project",)
    readonly_fields = ("health",)
    exclude = ("seen",)

    @admin.display(description="Health")
    def health(self, feed: Feed) -> str:
        return f"{feed.get_health_display()}: {feed.last_error}" if feed.last_error else feed.get_health_display()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
