"""Admin for API keys: list, create (the key is shown on the page that follows, once), revoke.

A key is never shown after its creation page, and its hash never: the list and the key's page
show its prefix, owner, scopes and dates. Keys are revoked, not deleted, so the record of
who had which key stays. Staff of a tenant see and revoke their tenant's keys and create keys
for themselves; a superuser creates keys for any member of any tenant.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from apikeys.forms import ApiKeyCreateForm
from apikeys.keys import ShownOnce
from apikeys.models import ApiKey
from apikeys.scopes import Scope
from apikeys.services import api_key_create, api_key_revoke
from pinpublisher.admin_scoping import TenantScopedAdmin
from pinpublisher.errors import DomainError

_STATUS_COLOURS = {"active": "#2e7d32", "expired": "#8d6e63", "revoked": "#c62828"}


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True).exclude(expires_at__lte=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


def _status(api_key: ApiKey) -> str:
    if api_key.is_revoked:
        return "revoked"
    return "expired" if api_key.is_expired() else "active"


@admin.register(ApiKey)
class ApiKeyAdmin(TenantScopedAdmin):
    tenant_path = "tenant_id"
    write_action = Scope.KEYS_WRITE  # the role's action of the same name (publishing.roles)
    list_display = (
        "name", "shown_prefix", "tenant", "owner", "shown_scopes", "status", "created_at", "expires_at",
        "last_used_at",
    )
    list_filter = (StatusFilter, "tenant")
    list_select_related = ("tenant", "owner")
    search_fields = ("name", "prefix", "owner__username", "tenant__name")
    # The hash is deliberately absent.
    fields = (
        "name", "shown_prefix", "tenant", "owner", "shown_scopes", "status", "created_at", "expires_at",
        "last_used_at", "revoked_at",
    )
    readonly_fields = fields
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # A key is made once and then only revoked: its page is for reading.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, object] | None = None
    ) -> TemplateResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiKeyCreateForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            days = data["expires_in_days"]
            try:
                created = api_key_create(
                    tenant=data["owner"].membership.tenant,
                    owner=data["owner"],
                    name=data["name"],
                    scopes=data["scopes"],
                    expires_at=timezone.now() + timedelta(days=days) if days else None,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.public_message)
            else:
                self.log_addition(request, created.api_key, [{"added": {}}])
                # The one page that shows the key: rendered here, never stored (no message, no
                # session) and never cached (the admin's views send no-store). ShownOnce: Django
                # logs a template's whole context at DEBUG when a variable is missing.
                context = {"api_key": created.api_key, "key": ShownOnce(created.key)}
                return TemplateResponse(
                    request, "apikeys/created.html", {**self._context(request, "API key created"), **context}
                )
        return TemplateResponse(request, "apikeys/add.html", {**self._context(request, "Add API key"), "form": form})

    def _context(self, request: HttpRequest, title: str) -> dict[str, object]:
        return {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta}

    @admin.action(description="Revoke selected keys (they fail their next request)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        active = list(queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True))
        for pk in active:
            api_key_revoke(api_key_id=pk)
        self.message_user(request, f"Revoked {len(active)} API key(s).", messages.SUCCESS)

    @admin.display(description="prefix", ordering="prefix")
    def shown_prefix(self, obj: ApiKey) -> SafeString:
        return format_html("<code>{}…</code>", obj.prefix)

    @admin.display(description="scopes")
    def shown_scopes(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes)

    @admin.display(description="status")
    def status(self, obj: ApiKey) -> SafeString:
        status = _status(obj)
        return format_html('<strong style="color: {}">{}</strong>', _STATUS_COLOURS[status], status)
