"""Admin for connections and boards. Tokens are never displayed or editable as text:
a connection shows whether each token is set and when it expires.

Actions (each calls one service per selected connection): refresh tokens now, sync
boards, disconnect. The changelist links to the OAuth connect view and to "Add a
sandbox token" (a token from Pinterest's app dashboard, checked before it is saved).

Each connection shows its health (``PinterestConnection.health``) as a badge whose tooltip is
what a person reads about it; the "health" filter uses the selectors' SQL for the same values.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timeuntil
from django.views.decorators.debug import sensitive_post_parameters

from pinpublisher.admin_scoping import TenantScopedAdmin, TenantScopedRecordInline
from pinterest.display import health_badge
from pinterest.errors import ConnectError, ConnectionUnusable, PinterestError
from pinterest.forms import SandboxTokenForm
from pinterest.models import Board, BoardSection, Health, PinterestConnection
from pinterest.selectors import connection_health_filter
from pinterest.services.boards import boards_sync
from pinterest.services.connect import connection_add_from_token, connection_disconnect
from pinterest.services.refresh import RefreshOutcome, connection_refresh_tokens
from pinterest.services.refresh_waits import RefreshPatience


def _expiry(value: datetime | None) -> str:
    if value is None:
        return "unknown"
    now = timezone.now()
    if value <= now:
        return "expired"
    return f"in {timeuntil(value, now, depth=1)}"


class HealthListFilter(admin.SimpleListFilter):
    title = "health"
    parameter_name = "health"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> Iterable[tuple[str, str]]:
        return Health.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        health = self.value()
        if health is None or health not in Health.values:
            return queryset
        return queryset.filter(connection_health_filter(health=health, now=timezone.now()))


# Columns only the token services write (connect, refresh, disconnect), never an admin form.
TOKEN_COLUMNS = frozenset(
    {"access_token", "refresh_token", "access_token_expires_at", "refresh_token_expires_at", "last_refreshed_at"}
)


class BoardInline(TenantScopedRecordInline):
    model = Board
    fields = ("name", "pinterest_board_id", "privacy", "is_archived", "synced_at")
    readonly_fields = fields
    show_change_link = True


@admin.register(PinterestConnection)
class PinterestConnectionAdmin(TenantScopedAdmin):
    tenant_path = "tenant_id"
    # publishing.roles.Action.MANAGE_CONNECTIONS, by value: pinterest never imports publishing.
    write_action = "connections:write"

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # A connection comes from Pinterest (OAuth, or a sandbox token it has checked), as in
        # the API: never typed in by hand.
        return redirect(reverse("admin:pinterest_pinterestconnection_add_token"))

    def get_readonly_fields(self, request: HttpRequest, obj: PinterestConnection | None = None) -> tuple[str, ...]:
        # The account stays with the tenant that connected it: moving it would leave that
        # tenant's projects publishing with another tenant's account.
        return (*super().get_readonly_fields(request, obj), "tenant", "pinterest_user_id")

    def save_model(
        self, request: HttpRequest, obj: PinterestConnection, form: ModelForm[PinterestConnection], change: bool
    ) -> None:
        # Write only what the person changed: a full save would write back the tokens and
        # expiries read when the form loaded, undoing a refresh that ran meanwhile (and
        # losing its new refresh token, which Pinterest accepts only once).
        changed = [name for name in form.changed_data if name not in TOKEN_COLUMNS]
        if changed:
            obj.save(update_fields=changed)
    list_display = (
        "__str__",
        "tenant",
        "is_active",
        "health_status",
        "access_token_status",
        "refresh_token_status",
        "last_refreshed_at",
        "short_last_error",
    )
    list_filter = (HealthListFilter, "is_active", "tenant")
    search_fields = ("username", "pinterest_user_id", "tenant__name")
    # The encrypted fields are deliberately absent: they are never shown or edited as text.
    fields = (
        "tenant",
        "pinterest_user_id",
        "username",
        "is_active",
        "health_status",
        "health_detail",
        "scopes",
        "access_token_status",
        "access_token_expires_at",
        "refresh_token_status",
        "refresh_token_expires_at",
        "last_refreshed_at",
        "refresh_failing_since",
        "refresh_failures",
        "next_refresh_at",
        "spam_blocked_at",
        "spam_blocked_until",
        "last_error",
        "last_error_at",
        "next_publish_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "health_status",
        "health_detail",
        "refresh_failing_since",
        "refresh_failures",
        "next_refresh_at",
        "spam_blocked_at",
        "spam_blocked_until",
        "last_error_at",
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
    actions = ["refresh_tokens_now", "sync_boards", "disconnect"]
    change_list_template = "pinterest/connection_change_list.html"

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "add-token/",
                self.admin_site.admin_view(self.add_token_view),
                name="pinterest_pinterestconnection_add_token",
            ),
            *super().get_urls(),
        ]

    @method_decorator(sensitive_post_parameters("access_token", "refresh_token"))
    def add_token_view(self, request: HttpRequest) -> HttpResponse:
        """Add (or update) a connection from a sandbox token; the token is checked first."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SandboxTokenForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = connection_add_from_token(
                    tenant=data["tenant"],
                    access_token=data["access_token"],
                    refresh_token=data["refresh_token"],
                    target=data["project"].pk if data["project"] else None,
                )
            except ConnectError as exc:
                form.add_error("access_token", str(exc))
            except PinterestError as exc:
                form.add_error(None, f"Pinterest could not check the token: {exc.user_message}")
            else:
                level = messages.WARNING if (result.boards_error or result.refresh_error) else messages.SUCCESS
                self.message_user(request, result.message, level)
                return redirect(reverse("admin:pinterest_pinterestconnection_change", args=[result.connection.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Add a sandbox token",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "pinterest/add_token.html", context)

    @admin.action(description="Refresh tokens now")
    def refresh_tokens_now(self, request: HttpRequest, queryset: QuerySet[PinterestConnection]) -> None:
        # One bound for the whole request, however many connections are selected.
        patience = RefreshPatience()
        for connection in queryset.order_by("pk"):
            outcome = connection_refresh_tokens(connection_id=connection.pk, patience=patience)
            if outcome.status == RefreshOutcome.REFRESHED:
                self.message_user(request, f"Refreshed the tokens of {connection}.", messages.SUCCESS)
            elif outcome.status == RefreshOutcome.SKIPPED:
                self.message_user(request, f"Skipped {connection}: {outcome.error}", messages.WARNING)
            else:
                self.message_user(request, f"{connection}: {outcome.error}", messages.ERROR)

    @admin.action(description="Sync boards from Pinterest")
    def sync_boards(self, request: HttpRequest, queryset: QuerySet[PinterestConnection]) -> None:
        for connection in queryset.order_by("pk"):
            try:
                result = boards_sync(connection_id=connection.pk)
            except ConnectionUnusable as exc:
                self.message_user(request, str(exc), messages.ERROR)
            except PinterestError as exc:
                self.message_user(request, f"{connection}: Pinterest answered {exc.user_message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Boards of {connection} synced: {result.total} on Pinterest ({result.created} new, "
                    f"{result.updated} updated, {result.archived} archived).",
                    messages.SUCCESS,
                )

    @admin.action(description="Disconnect (delete tokens, keep boards and pins)")
    def disconnect(self, request: HttpRequest, queryset: QuerySet[PinterestConnection]) -> None:
        for connection in queryset.order_by("pk"):
            self.message_user(request, connection_disconnect(connection_id=connection.pk), messages.SUCCESS)

    @admin.display(description="health")
    def health_status(self, obj: PinterestConnection) -> SafeString:
        return health_badge(obj)

    @admin.display(description="health detail")
    def health_detail(self, obj: PinterestConnection) -> str:
        return obj.health()[1] or "—"

    @admin.display(description="access token")
    def access_token_status(self, obj: PinterestConnection) -> str:
        if not obj.has_access_token:
            return "not set"
        return f"set, expires {_expiry(obj.access_token_expires_at)}"

    @admin.display(description="refresh token")
    def refresh_token_status(self, obj: PinterestConnection) -> str:
        if not obj.has_refresh_token:
            return "not set"
        return f"set, expires {_expiry(obj.refresh_token_expires_at)}"

    @admin.display(description="last error")
    def short_last_error(self, obj: PinterestConnection) -> str:
        if not obj.last_error:
            return "—"
        text = (obj.last_error[:160] + "…") if len(obj.last_error) > 160 else obj.last_error
        return format_html('<span class="pp-error" title="{}">{}</span>', obj.last_error, text)


@admin.register(Board)
class BoardAdmin(TenantScopedAdmin):
    """Boards are Pinterest's: ``boards_sync`` writes them and the admin shows them, as the API
    does. Editing one by hand (its account, its archived flag) would break the board rules the
    pin services check."""

    tenant_path = "connection__tenant_id"
    list_display = ("name", "connection", "pinterest_board_id", "privacy", "is_archived", "synced_at")
    list_filter = ("is_archived", "privacy")
    search_fields = ("name", "pinterest_board_id", "connection__username")
    list_select_related = ("connection",)
    readonly_fields = ("synced_at", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class BoardSectionInline(admin.TabularInline):
    model = BoardSection
    extra = 0
    can_delete = False
    fields = ("name", "pinterest_section_id", "is_archived", "synced_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


BoardAdmin.inlines = [BoardSectionInline]


@admin.register(BoardSection)
class BoardSectionAdmin(TenantScopedAdmin):
    """Sections are Pinterest's, like boards: ``boards_sync`` writes them, the admin shows them."""

    tenant_path = "board__connection__tenant_id"
    list_display = ("name", "board", "pinterest_section_id", "is_archived", "synced_at")
    list_filter = ("is_archived",)
    search_fields = ("name", "board__name", "pinterest_section_id")
    list_select_related = ("board",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
