"""Admin for tenants, projects, articles, pins, attempts and batches."""

from django.contrib import admin

from pinpublisher.admin_scoping import TenantScopedAdmin
from publishing.models import (
    BlogArticle,
    BlogProject,
    Membership,
    Pin,
    PublishAttempt,
    PublishBatch,
    PublishBatchItem,
    Tenant,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    tenant_path = "id"
    list_display = ("name", "created_at")
    search_fields = ("name",)
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    tenant_path = "tenant_id"
    list_display = ("user", "tenant", "role", "created_at")
    list_filter = ("role", "tenant")
    search_fields = ("user__username", "user__email", "tenant__name")
    list_select_related = ("user", "tenant")
    autocomplete_fields = ("user",)


@admin.register(BlogProject)
class BlogProjectAdmin(TenantScopedAdmin):
    tenant_path = "tenant_id"
    list_display = ("name", "tenant", "pinterest_connection", "created_at")
    list_filter = ("tenant",)
    search_fields = ("name", "tenant__name")
    list_select_related = ("tenant", "pinterest_connection")


@admin.register(BlogArticle)
class BlogArticleAdmin(TenantScopedAdmin):
    tenant_path = "project__tenant_id"
    list_display = ("title", "url", "project", "created_at")
    list_filter = ("project",)
    search_fields = ("title", "url", "project__name")
    list_select_related = ("project",)


class PublishAttemptInline(admin.TabularInline):
    model = PublishAttempt
    extra = 0
    can_delete = False
    fields = (
        "trigger",
        "started_at",
        "finished_at",
        "outcome",
        "http_status",
        "pinterest_request_id",
        "pinterest_pin_id",
        "error",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Pin)
class PinAdmin(TenantScopedAdmin):
    tenant_path = "project__tenant_id"
    list_display = ("__str__", "project", "board", "status", "scheduled_at", "published_at")
    list_filter = ("status", "project", "board")
    search_fields = ("title", "description", "pinterest_pin_id", "article__url")
    list_select_related = ("project", "board")
    date_hierarchy = "scheduled_at"
    readonly_fields = (
        "status",
        "publishing_started_at",
        "published_at",
        "pinterest_pin_id",
        "pinterest_pin_url",
        "error_message",
        "created_at",
        "updated_at",
    )
    inlines = [PublishAttemptInline]


@admin.register(PublishAttempt)
class PublishAttemptAdmin(TenantScopedAdmin):
    tenant_path = "pin__project__tenant_id"
    list_display = ("pin", "trigger", "outcome", "http_status", "started_at", "finished_at")
    list_filter = ("outcome", "trigger")
    search_fields = ("pin__title", "pinterest_request_id", "pinterest_pin_id", "error")
    list_select_related = ("pin",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PublishBatchItemInline(admin.TabularInline):
    model = PublishBatchItem
    extra = 0
    can_delete = False
    fields = ("pin", "success", "error", "finished_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PublishBatch)
class PublishBatchAdmin(TenantScopedAdmin):
    tenant_path = "tenant_id"
    list_display = ("id", "tenant", "trigger", "total", "created_at", "finished_at")
    list_filter = ("trigger",)
    search_fields = ("id",)
    readonly_fields = ("tenant", "created_by", "trigger", "total", "created_at", "finished_at")
    inlines = [PublishBatchItemInline]

    def has_add_permission(self, request):
        return False
