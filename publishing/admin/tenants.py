"""Admin for tenants, their members, projects and articles (written through the content services)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import ForeignKey, Model, Q, QuerySet
from django.http import HttpRequest

from pinpublisher.admin_scoping import TenantScopedAdmin, user_tenant_id
from pinpublisher.errors import DomainError
from publishing.admin.scheduling import ProjectSchedulingAdmin
from publishing.admin.service_forms import ServiceForm, ServiceFormAdmin
from publishing.models import BlogArticle, BlogProject, Membership, Tenant
from publishing.roles import Action
from publishing.services import content, members

if TYPE_CHECKING:
    _MembershipAdminBase = admin.options.BaseModelAdmin[Membership]
else:
    _MembershipAdminBase = object


def users_tenant_staff_may_pick(*, tenant_id: int | None) -> QuerySet[AbstractBaseUser]:
    """The users a tenant's staff may make members of their tenant: those of no tenant or of
    theirs (a user belongs to one tenant), never a superuser."""
    return get_user_model().objects.filter(
        Q(membership__isnull=True) | Q(membership__tenant_id=tenant_id), is_superuser=False
    )


class MembershipUserChoices(_MembershipAdminBase):
    """For the membership admin and inline: a tenant's staff pick the user from a plain list of
    ``users_tenant_staff_may_pick`` (a forged id is "not one of the available choices"); a
    superuser picks any user with the autocomplete."""

    def get_autocomplete_fields(self, request: HttpRequest) -> tuple[str, ...]:
        # The autocomplete answers from the user admin, which knows nothing of tenants.
        return ("user",) if request.user.is_superuser else ()

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = users_tenant_staff_may_pick(tenant_id=user_tenant_id(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(MembershipUserChoices, admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    tenant_path = "id"
    write_action = Action.MANAGE_TEAM
    list_display = ("name", "created_at")
    search_fields = ("name",)
    inlines = [MembershipInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "tenant", "role")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        if self.instance.pk and role and role != self.instance.role:
            problem = members.last_owner_problem(membership=Membership.objects.get(pk=self.instance.pk))
            if problem:
                self.add_error("role", problem)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(MembershipUserChoices, TenantScopedAdmin):
    """Members, as the team's API and page change them: a role through ``member_role_change``, a
    removal through ``member_remove`` (keys revoked, sessions ended); the last owner stays."""

    form = MembershipForm
    tenant_path = "tenant_id"
    write_action = Action.MANAGE_TEAM
    list_display = ("user", "tenant", "role", "created_at")
    list_filter = ("role", "tenant")
    search_fields = ("user__username", "user__email", "tenant__name")
    list_select_related = ("user", "tenant")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if isinstance(obj, Membership) and members.last_owner_problem(membership=obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if not change or "role" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        role, obj.role = obj.role, form.initial["role"]
        super().save_model(request, obj, form, change)  # whatever else changed
        obj.role = members.member_role_change(tenant=obj.tenant, membership_id=obj.pk, role=role).role

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        members.member_remove(tenant=obj.tenant, membership_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user", "tenant"):
            try:
                members.member_remove(tenant=membership.tenant, membership_id=membership.pk)
            except DomainError as err:
                self.message_user(request, f"{membership.user} was not removed: {err}", messages.ERROR)


class BlogProjectForm(ServiceForm):
    class Meta:
        model = BlogProject
        fields = ("tenant", "name", "pinterest_connection", "timezone", "requires_approval")

    def clean_timezone(self) -> str:
        return self.cleaned_data["timezone"].strip() or "UTC"

    def write(self) -> BlogProject:
        data = self.changed_values(ids=("pinterest_connection",))
        if self.adding:
            data.pop("tenant", None)
            tenant = self.acting_tenant(self.cleaned_data["tenant"])
            return content.project_create(tenant=tenant, **data)
        return content.project_update(project=self.instance, data=data)


@admin.register(BlogProject)
class BlogProjectAdmin(ProjectSchedulingAdmin, ServiceFormAdmin):
    form = BlogProjectForm
    tenant_path = "tenant_id"
    list_display = ("name", "tenant", "pinterest_connection", "requires_approval", "created_at")
    list_filter = ("tenant",)
    search_fields = ("name", "tenant__name")
    list_select_related = ("tenant", "pinterest_connection")

    def delete_object(self, obj: BlogProject) -> None:
        content.project_delete(project=obj)

    def get_readonly_fields(self, request: HttpRequest, obj: BlogProject | None = None) -> list[str] | tuple[str, ...]:
        # A project never moves to another tenant (the API cannot move one either).
        if obj is not None:
            return (*super().get_readonly_fields(request, obj), "tenant")
        return super().get_readonly_fields(request, obj)


class BlogArticleForm(ServiceForm):
    class Meta:
        model = BlogArticle
        fields = ("project", "url", "title")

    def write(self) -> BlogArticle:
        data = self.changed_values(ids=("project",))
        if self.adding:
            tenant = self.acting_tenant(self.cleaned_data["project"].tenant)
            return content.article_create(tenant=tenant, **data)
        return content.article_update(article=self.instance, data=data)


@admin.register(BlogArticle)
class BlogArticleAdmin(ServiceFormAdmin):
    form = BlogArticleForm
    tenant_path = "project__tenant_id"
    list_display = ("title", "url", "project", "created_at")
    list_filter = ("project",)
    search_fields = ("title", "url", "project__name")
    list_select_related = ("project",)

    def delete_object(self, obj: BlogArticle) -> None:
        content.article_delete(article=obj)
