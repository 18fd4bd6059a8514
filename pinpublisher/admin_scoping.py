"""Tenant scoping for the admin.

A superuser sees everything. A staff user who belongs to a tenant sees and edits
only that tenant's objects (the ``tenant_path`` of each ModelAdmin says how an
object reaches its tenant), and foreign-key choices are narrowed the same way.
"""

from django.contrib import admin


def user_tenant_id(user):
    membership = getattr(user, "membership", None)
    return membership.tenant_id if membership else None


class TenantScopedAdmin(admin.ModelAdmin):
    #: ORM path from this model to its tenant id, e.g. "project__tenant_id".
    tenant_path = None

    def _is_tenant_staff(self, request):
        return request.user.is_active and request.user.is_staff and user_tenant_id(request.user)

    def _allowed(self, request):
        return request.user.is_superuser or bool(self._is_tenant_staff(request))

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or not self.tenant_path:
            return queryset
        return queryset.filter(**{self.tenant_path: user_tenant_id(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if request.user.is_superuser or field is None:
            return field
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if isinstance(related_admin, TenantScopedAdmin) and related_admin.tenant_path:
            field.queryset = field.queryset.filter(
                **{related_admin.tenant_path: user_tenant_id(request.user)}
            )
        return field
