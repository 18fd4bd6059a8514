"""The operators' view of invitations, two-factor and login policies. Lockouts are django-axes's
own admin ("Access attempts": delete a row to unlock). Nothing here shows a secret or a token."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import Invitation, LoginPolicy, TwoFactorDevice
from accounts.services import two_factor
from pinpublisher.admin_scoping import TenantScopedAdmin


@admin.register(Invitation)
class InvitationAdmin(TenantScopedAdmin):
    tenant_path = "tenant_id"
    list_display = ("email", "tenant", "role", "status", "created_at", "expires_at", "invited_by")
    list_filter = ("role", "tenant")
    search_fields = ("email",)
    readonly_fields = ("tenant", "email", "role", "invited_by", "created_at", "expires_at", "used_at", "revoked_at",
                       "accepted_user")
    exclude = ("token_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invitations are sent by owners (planner, API): the email needs the token


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(TenantScopedAdmin):
    tenant_path = "user__membership__tenant_id"
    list_display = ("user", "confirmed_at", "created_at")
    search_fields = ("user__username",)
    fields = ("user", "created_at", "confirmed_at")
    readonly_fields = fields
    actions = ["turn_off"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Turn off two-factor (a member who lost their phone sets it up again)")
    def turn_off(self, request: HttpRequest, queryset: QuerySet[TwoFactorDevice]) -> None:
        count = two_factor.two_factor_turn_off(device_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Two-factor turned off for {count} user(s).")


@admin.register(LoginPolicy)
class LoginPolicyAdmin(TenantScopedAdmin):
    tenant_path = "tenant_id"
    list_display = ("tenant", "owners_need_two_factor")

