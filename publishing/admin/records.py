"""Admin for what publishing recorded: attempts and batches, read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from pinpublisher.admin_display import badge
from pinpublisher.admin_scoping import TenantScopedAdmin, TenantScopedRecordInline
from publishing.admin.display import BATCH_OUTCOME_COLORS
from publishing.models import PublishAttempt, PublishBatch, PublishBatchItem
from publishing.selectors import BatchCounts, batch_counts, batch_item_outcome

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    #: A batch as its changelist reads it: with its ``batch_counts``.
    CountedBatch = WithAnnotations[PublishBatch, BatchCounts]


class PublishAttemptInline(TenantScopedRecordInline):
    model = PublishAttempt
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


@admin.register(PublishAttempt)
class PublishAttemptAdmin(TenantScopedAdmin):
    tenant_path = "pin__project__tenant_id"
    list_display = ("pin", "trigger", "outcome", "http_status", "started_at", "finished_at")
    list_filter = ("outcome", "trigger")
    search_fields = ("pin__title", "pinterest_request_id", "pinterest_pin_id", "error")
    list_select_related = ("pin",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class PublishBatchItemInline(TenantScopedRecordInline):
    model = PublishBatchItem
    fields = ("pin", "outcome", "error", "finished_at")
    readonly_fields = fields

    @admin.display(description="outcome")
    def outcome(self, obj: PublishBatchItem) -> str:
        name = batch_item_outcome(success=obj.success, skipped=obj.skipped)
        label = "already published: skipped" if name == "skipped" else name
        return badge(label, BATCH_OUTCOME_COLORS[name])


@admin.register(PublishBatch)
class PublishBatchAdmin(TenantScopedAdmin):
    tenant_path = "tenant_id"
    list_display = (
        "id", "tenant", "trigger", "total", "published", "skipped", "failed", "pending", "created_at", "finished_at"
    )
    list_filter = ("trigger",)
    search_fields = ("id",)
    readonly_fields = (
        "tenant", "created_by", "trigger", "total", "published", "skipped", "failed", "pending", "created_at",
        "finished_at",
    )
    inlines = [PublishBatchItemInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PublishBatch]:
        return super().get_queryset(request).annotate(**batch_counts())

    @admin.display(ordering="n_published")
    def published(self, obj: CountedBatch) -> int:
        return obj.n_published

    @admin.display(ordering="n_skipped", description="skipped (already published)")
    def skipped(self, obj: CountedBatch) -> int:
        return obj.n_skipped

    @admin.display(ordering="n_failed")
    def failed(self, obj: CountedBatch) -> int:
        return obj.n_failed

    @admin.display(ordering="n_pending")
    def pending(self, obj: CountedBatch) -> int:
        return obj.n_pending

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
