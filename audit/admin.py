"""The trail in the admin: read-only (no add, no change, no delete), scoped to the staff user's tenant."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from audit.models import AuditEvent
from pinpublisher.admin_scoping import TenantScopedAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(TenantScopedAdmin):
    tenant_path = "tenant_id"
    list_display = ("at", "actor_kind", "actor_label", "action", "object_type", "object_repr", "request_id")
    list_filter = ("actor_kind", "object_type", "action")
    search_fields = ("actor_label", "object_id", "object_repr", "action", "request_id")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
