"""Tenant scoping and query guards for the admin.

A superuser sees everything. A staff user who belongs to a tenant sees only that tenant's
objects, and adds, changes and deletes them (and runs their actions) only as far as their role
allows (issue 29): each ModelAdmin names the action its writes need (``write_action``, a
``publishing.roles.Action`` value: ``pins:write`` unless said otherwise; an admin action may name
its own as ``role_action``), and the member's ``Membership.may(action)`` decides (asked by name,
so this package imports no app). A viewer reads every page and changes nothing. The
``tenant_path`` of each ModelAdmin says how an object reaches its tenant; foreign-key choices
and the changelist filter sidebars are narrowed the same way.

Every admin changelist and autocomplete answers a query no database can run (a NUL
byte, a date out of range) with a 400, never a 500: ``QueryGuard`` does it for our
ModelAdmins, and ``guard_admin_site`` gives it to the ones other apps register.

The admin's "view on site" shortcut (``/admin/r/<content type>/<id>/``) is ``view_on_site``: it
resolves an object through its ModelAdmin's scoped queryset, and answers one plain 404 for
every id the user may not see.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.contrib.admin.utils import get_fields_from_path, quote, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import SuspiciousOperation
from django.db.models import ForeignKey, Model, QuerySet
from django.db.models.fields.related import RelatedField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views import defaults

if TYPE_CHECKING:
    from django.contrib.admin.options import _ListFilterT
    from django_stubs_ext import StrOrPromise


def user_tenant_id(user: User | AnonymousUser) -> int | None:
    membership = getattr(user, "membership", None)
    return membership.tenant_id if membership else None


# --- Query guard -----------------------------------------------------------------------------


class MalformedAdminQuery(SuspiciousOperation):
    """A changelist or autocomplete query that cannot be answered; Django responds 400."""


def _refuse_nul(values: Iterable[str]) -> None:
    # PostgreSQL text cannot hold NUL (a DataError, so a 500); refused on every database so
    # the answer does not depend on which one runs.
    if any("\x00" in value for value in values):
        raise MalformedAdminQuery("The query contains a NUL byte.")


class QueryGuard(admin.ModelAdmin):
    """A ModelAdmin whose malformed changelist filter or autocomplete term is a 400; mixed in
    first (``guard_admin_site``), so its ``super()`` is the admin it guards."""

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        _refuse_nul([text for key, values in request.GET.lists() for text in (key, *values)])
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError) as err:
            # Django turns the date hierarchy's year/month/day into datetimes and catches only
            # part of what that raises: year 99999999999 overflows, year 9999 has no next year.
            raise MalformedAdminQuery(f"The changelist query is out of range: {err}") from err

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Model], search_term: str
    ) -> tuple[QuerySet[Model], bool]:
        # The autocomplete's ``term`` reaches here unchecked (the changelist's ``q`` is already
        # checked by its search form).
        _refuse_nul([search_term])
        return super().get_search_results(request, queryset, search_term)


def guard_admin_site(site: AdminSite = admin.site) -> None:
    """Give ``QueryGuard`` to every ModelAdmin registered without it (auth, authtoken, django-q).

    Call it once every app's admin module is loaded.
    """
    for model, model_admin in list(site._registry.items()):
        admin_class = type(model_admin)
        if not issubclass(admin_class, QueryGuard):
            site.unregister(model)
            site.register(model, type(admin_class.__name__, (QueryGuard, admin_class), {}))


# --- Tenant scoping --------------------------------------------------------------------------


class TenantRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A related-object filter that lists only what the user may see.

    The choices are the related ModelAdmin's queryset for this user (the same scope as the
    foreign-key choices of its forms); a related model without a tenant-scoped admin offers
    only the objects the user's own rows point at.
    """

    def field_choices(
        self, field: RelatedField, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, StrOrPromise]]:
        if request.user.is_superuser:
            return super().field_choices(field, request, model_admin)
        related_admin = model_admin.admin_site._registry.get(field.related_model)
        if isinstance(related_admin, TenantScopedAdmin) and related_admin.tenant_path:
            visible = related_admin.get_queryset(request).values("pk")
        else:
            visible = model_admin.get_queryset(request).values(f"{self.field_path}__pk")
        ordering = self.field_admin_ordering(field, request, model_admin)
        # Django's own field_choices returns this call; the stubs type get_choices more widely
        # (with a blank choice, grouped choices) than what include_blank=False gives.
        return field.get_choices(  # type: ignore[return-value]
            include_blank=False, ordering=ordering, limit_choices_to={"pk__in": visible}
        )


def user_may(user: User | AnonymousUser, action: str) -> bool:
    """Whether the user's role in their tenant allows ``action`` (``Membership.may``); a
    superuser may do everything, a user of no tenant nothing."""
    if user.is_superuser:
        return True
    membership = getattr(user, "membership", None)
    return bool(user.is_active and membership is not None and membership.may(action))


class TenantScopedAdmin(QueryGuard, admin.ModelAdmin):
    #: ORM path from this model to its tenant id, e.g. "project__tenant_id".
    tenant_path: str | None = None
    #: What a tenant's staff member's role must allow to add, change or delete here (and to run
    #: the actions that name no ``role_action``): a ``publishing.roles.Action`` value.
    write_action: str = "pins:write"

    def _is_tenant_staff(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff and user_tenant_id(request.user))

    def _allowed(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or self._is_tenant_staff(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def _may_write(self, request: HttpRequest, action: str | None = None) -> bool:
        return self._allowed(request) and user_may(request.user, action or self.write_action)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_write(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_write(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_write(request)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Django offers an action to whoever sees the list unless it names permissions: each is
        # the role's here (its ``role_action``, else the admin's ``write_action``).
        return {
            name: action
            for name, action in super().get_actions(request).items()
            if action is not None and self._may_write(request, getattr(action[0], "role_action", None))
        }

    def get_queryset(self, request: HttpRequest) -> QuerySet[Model]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser or not self.tenant_path:
            return queryset
        return queryset.filter(**{self.tenant_path: user_tenant_id(request.user)})

    def get_list_filter(self, request: HttpRequest) -> list[_ListFilterT]:
        return [self._scoped_filter(item) for item in super().get_list_filter(request)]

    def _scoped_filter(self, item: _ListFilterT) -> _ListFilterT:
        # A plain related field name would list every tenant's objects in the sidebar.
        if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
            return (item, TenantRelatedFieldListFilter)
        return item

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: object
    ) -> forms.ModelChoiceField | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if request.user.is_superuser or field is None:
            return field
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if isinstance(related_admin, TenantScopedAdmin) and related_admin.tenant_path and field.queryset is not None:
            field.queryset = field.queryset.filter(
                **{related_admin.tenant_path: user_tenant_id(request.user)}
            )
        return field


class TenantScopedRecordInline(admin.TabularInline):
    """A read-only inline of records under a tenant-scoped object (a pin's attempts, a batch's
    items, a connection's boards): shown to whoever may see the object (its tenant's staff,
    a superuser), never edited from there. Django's default would ask for model permissions
    tenant staff do not have, and hide the records from them."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        user = request.user
        return user.is_superuser or bool(user.is_active and user.is_staff and user_tenant_id(user))

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


# --- "View on site" --------------------------------------------------------------------------


def _not_found(request: HttpRequest) -> HttpResponse:
    # One answer for every refusal, whatever DEBUG says: Django's debug 404 page would name the
    # reason (and the id), which tells whether another tenant's object exists.
    return defaults.page_not_found(request, Http404())


def _visible_object(
    request: HttpRequest, content_type_id: str, object_id: str, site: AdminSite
) -> tuple[Model, admin.ModelAdmin] | None:
    """The object the user may see under this content type and id, with its ModelAdmin, or
    None: a malformed id, an unknown type, a model this admin does not show the user,
    another tenant's object and a missing one all read alike."""
    if "\x00" in content_type_id or "\x00" in object_id:
        return None
    try:
        content_type = ContentType.objects.get_for_id(int(content_type_id))
    except (ValueError, OverflowError, ContentType.DoesNotExist):
        return None
    model = content_type.model_class()
    model_admin = site._registry.get(model) if model is not None else None
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        return None
    try:
        # The ModelAdmin's queryset is the user's scope (their tenant; all for a superuser); its
        # get_object reads a malformed id as missing.
        obj = model_admin.get_object(request, unquote(object_id))
    except (OverflowError, ValueError):
        return None
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        return None
    return obj, model_admin


def view_on_site(
    request: HttpRequest, content_type_id: int | str, object_id: int | str, site: AdminSite = admin.site
) -> HttpResponse:
    """Redirect to the page of an object the user may see: the model's ``get_absolute_url``
    when it has one (Django's shortcut), else the object's page in this admin. Anything else is
    the plain 404 (``_not_found``). Takes the place of Django's ``admin:view_on_site``, which
    looks objects up in every tenant and answers a malformed id with a 500."""
    found = _visible_object(request, str(content_type_id), str(object_id), site)
    if found is None:
        return _not_found(request)
    obj, model_admin = found
    if hasattr(obj, "get_absolute_url"):
        return contenttype_views.shortcut(request, content_type_id, obj.pk)
    opts = model_admin.opts
    return HttpResponseRedirect(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)], current_app=site.name)
    )
