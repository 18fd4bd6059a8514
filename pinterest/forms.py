"""Forms of the Pinterest app: adding a connection from a sandbox token in the admin."""

from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser, User

from pinterest.models import PinterestConnection, TenantRef

# Reached through the connection model, so the pinterest app never imports publishing code (and,
# as for ``TenantRef``, cannot name their types).
Tenant: type[TenantRef] = PinterestConnection._meta.get_field("tenant").related_model
BlogProject: type[Any] = PinterestConnection._meta.get_field("projects").related_model


class ProjectChoiceField(forms.ModelChoiceField):
    """A project named with its tenant ("Acme / Soup blog"), as Django's docs override it."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.tenant} / {obj.name}"


class SandboxTokenForm(forms.Form):
    """A token made in Pinterest's app dashboard (the sandbox hands them out there, not
    through OAuth). The token fields never render their value back."""

    tenant = forms.ModelChoiceField(queryset=Tenant.objects.none())
    access_token = forms.CharField(
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="From your app's page on developers.pinterest.com: “Generate access token” (sandbox).",
    )
    refresh_token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Optional. Without one the token cannot be refreshed: add a new one when it expires.",
    )
    project = ProjectChoiceField(
        queryset=BlogProject.objects.none(),
        required=False,
        help_text="Optional: the project that publishes with this account.",
    )

    def __init__(self, *args: Any, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tenants = Tenant.objects.order_by("name")
        projects = BlogProject.objects.select_related("tenant").order_by("tenant__name", "name")
        if not user.is_superuser:
            membership = getattr(user, "membership", None)
            tenant_id = membership.tenant_id if membership else None
            tenants = tenants.filter(pk=tenant_id)
            projects = projects.filter(tenant_id=tenant_id)
            if membership:
                self.fields["tenant"].initial = tenant_id
        self._choice("tenant").queryset = tenants
        self._choice("project").queryset = projects

    def _choice(self, name: str) -> forms.ModelChoiceField:
        # Declared above as a ModelChoiceField; ``self.fields`` (its copy) is typed as any field.
        return cast(forms.ModelChoiceField, self.fields[name])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        tenant, project = cleaned.get("tenant"), cleaned.get("project")
        if tenant and project and project.tenant_id != tenant.pk:
            self.add_error("project", f"{project} is not a project of {tenant}.")
        return cleaned
