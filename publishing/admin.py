"""Admin for tenants, projects, articles, pins, attempts and batches."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from pinpublisher.admin_scoping import TenantScopedAdmin
from publishing.models import (
    BlogArticle,
    BlogProject,
    Membership,
    Pin,
    PinStatus,
    PublishAttempt,
    PublishBatch,
    PublishBatchItem,
    Tenant,
)
from publishing.services.publish import pins_mark_ready, pins_publish_bulk, pins_retry_failed


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


STATUS_COLORS = {
    PinStatus.DRAFT: "#8a8a8a",
    PinStatus.READY_TO_SCHEDULE: "#2f6fb5",
    PinStatus.PUBLISHING: "#c98a00",
    PinStatus.PUBLISHED: "#2e8540",
    PinStatus.ERROR: "#c0392b",
}


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
    list_display = (
        "thumbnail", "__str__", "project", "board", "status_badge", "scheduled_at", "published_at", "on_pinterest"
    )
    list_display_links = ("thumbnail", "__str__")
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
    actions = ["publish_now", "mark_ready", "retry_failed"]

    def get_readonly_fields(self, request, obj=None):
        # A pin being published or already on Pinterest is a record, not a draft.
        if obj is not None and not obj.is_editable:
            return [f.name for f in self.model._meta.fields]
        return super().get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Only the fields the person changed, and only while the pin is still editable,
        # checked under the row lock: a publish that claimed it meanwhile wins, and its
        # status is never written back.
        with transaction.atomic():
            status = Pin.objects.select_for_update().filter(pk=obj.pk).values_list("status", flat=True).first()
            if status not in Pin.EDITABLE_STATUSES:
                self.message_user(
                    request, f"Not saved: the pin is {status} and can no longer be edited.", messages.ERROR
                )
                return
            if form.changed_data:
                obj.save(update_fields=form.changed_data)

    @admin.display(description="")
    def thumbnail(self, obj):
        url = obj.image.url if obj.image else obj.image_url
        if not url:
            return "—"
        return format_html('<img src="{}" alt="" style="height:48px;width:auto;border-radius:4px">', url)

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        color = STATUS_COLORS.get(obj.status, "#777")
        badge = format_html(
            '<span style="background:{};color:#fff;padding:2px 8px;border-radius:10px;white-space:nowrap">{}</span>',
            color,
            obj.get_status_display(),
        )
        if obj.status == PinStatus.ERROR and obj.error_message:
            return format_html('{}<br><small title="{}">{}</small>', badge, obj.error_message,
                               obj.error_message[:80])
        return badge

    @admin.display(description="on Pinterest")
    def on_pinterest(self, obj):
        if not obj.pinterest_pin_url:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">pin {}</a>', obj.pinterest_pin_url,
                           obj.pinterest_pin_id)

    @admin.action(description="Publish now (in the background, paced)")
    def publish_now(self, request, queryset):
        by_tenant = {}
        for pin_id, tenant_id in queryset.values_list("pk", "project__tenant_id"):
            by_tenant.setdefault(tenant_id, []).append(pin_id)
        for tenant_id, pin_ids in by_tenant.items():
            batch = pins_publish_bulk(
                tenant=Tenant.objects.get(pk=tenant_id), pin_ids=pin_ids, trigger="admin", user=request.user
            )
            url = reverse("admin:publishing_publishbatch_change", args=[batch.pk])
            self.message_user(
                request,
                format_html('Publishing {} pins in the background: <a href="{}">follow batch {}</a>.',
                            len(pin_ids), url, str(batch.pk)[:8]),
                messages.SUCCESS,
            )

    @admin.action(description="Mark ready to schedule")
    def mark_ready(self, request, queryset):
        count = pins_mark_ready(pin_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} draft pins marked ready to schedule.")

    @admin.action(description="Retry failed (back to ready to schedule)")
    def retry_failed(self, request, queryset):
        count = pins_retry_failed(pin_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} failed pins are ready to schedule again.")


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
    list_display = ("id", "tenant", "trigger", "total", "published", "failed", "pending", "created_at", "finished_at")
    list_filter = ("trigger",)
    search_fields = ("id",)
    readonly_fields = (
        "tenant", "created_by", "trigger", "total", "published", "failed", "pending", "created_at", "finished_at"
    )
    inlines = [PublishBatchItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            n_published=Count("items", filter=Q(items__success=True)),
            n_failed=Count("items", filter=Q(items__success=False)),
            n_pending=Count("items", filter=Q(items__success__isnull=True)),
        )

    @admin.display(ordering="n_published")
    def published(self, obj):
        return obj.n_published

    @admin.display(ordering="n_failed")
    def failed(self, obj):
        return obj.n_failed

    @admin.display(ordering="n_pending")
    def pending(self, obj):
        return obj.n_pending

    def has_add_permission(self, request):
        return False
