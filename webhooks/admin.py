"""Admin for webhook endpoints and their deliveries (attempts inline).

Endpoints are written by the same services as the API (``webhooks.services.endpoints``): the
form hands them what changed and shows what they refuse on the field they name. The signing
secret is shown once, in the message after creating an endpoint or rotating its secret;
never on a page. A person can redeliver any delivery (an action).
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from pinpublisher.admin_scoping import TenantScopedAdmin
from pinpublisher.errors import DomainError
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, EventType
from webhooks.selectors import overlap_ends_at
from webhooks.services import delivery as delivery_services
from webhooks.services import endpoints as endpoint_services


class EndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event type.",
    )

    #: The user the write acts for (``EndpointAdmin.get_form`` sets it), and the secret of an
    #: endpoint just created (shown once).
    user: User | None = None
    created_secret = ""

    class Meta:
        model = Endpoint
        fields = ("tenant", "url", "description", "event_types", "is_active")

    def _post_clean(self) -> None:
        # The service holds the rules and saves; the model's own validation is not run.
        if self.errors:
            return
        data = {name: self.cleaned_data[name] for name in self.changed_data if name != "tenant"}
        try:
            with transaction.atomic():
                if self.instance._state.adding:
                    assert self.user is not None, "EndpointAdmin.get_form gives the form its user"
                    tenant = self.cleaned_data["tenant"] if self.user.is_superuser else self.user.membership.tenant
                    created = endpoint_services.endpoint_create(tenant=tenant, url=self.cleaned_data["url"], **{
                        name: value for name, value in data.items() if name != "url"
                    })
                    self.instance, self.created_secret = created.endpoint, created.secret
                else:
                    self.instance = endpoint_services.endpoint_update(endpoint=self.instance, data=data)
        except ValidationError as err:
            for field, errors in err.update_error_dict({}).items():
                self.add_error(field if field in self.fields else None, errors)
        except DomainError as err:
            self.add_error(None, err.public_message)

    def save(self, commit: bool = True) -> Endpoint:
        # The service saved it while the form was validated.
        return self.instance

    def save_m2m(self) -> None:
        """Nothing left to save: the service saved the endpoint while the form was validated."""


@admin.register(Endpoint)
class EndpointAdmin(TenantScopedAdmin):
    form = EndpointForm
    tenant_path = "tenant_id"
    write_action = "webhooks:write"  # publishing.roles.Action.MANAGE_WEBHOOKS
    list_display = ("url", "tenant", "is_active", "events", "failing_since", "disabled_at", "created_at")
    list_filter = ("is_active", "tenant")
    search_fields = ("url", "description")
    list_select_related = ("tenant",)
    actions = ["rotate_secret", "enable", "disable"]

    def get_form(
        self, request: HttpRequest, obj: Endpoint | None = None, change: bool = False, **kwargs: object
    ) -> type[EndpointForm]:
        form = super().get_form(request, obj, change, **kwargs)
        assert issubclass(form, EndpointForm)  # Django's ModelForm of ``self.form``
        if not isinstance(request.user, User):
            # The admin lets only a signed-in staff user this far.
            raise PermissionDenied
        form.user = request.user
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: Endpoint | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        # An endpoint stays with its tenant; its secrets are never shown, only when they change.
        return ("tenant", "secrets", "failing_since", "disabled_at", "disabled_reason")

    def get_fields(self, request: HttpRequest, obj: Endpoint | None = None) -> tuple[str, ...]:
        fields: tuple[str, ...] = ("tenant", "url", "description", "event_types", "is_active")
        if obj is not None:
            fields += ("secrets", "failing_since", "disabled_at", "disabled_reason")
        return fields

    def save_model(self, request: HttpRequest, obj: Endpoint, form: EndpointForm, change: bool) -> None:
        if form.created_secret:
            self.message_user(
                request,
                f"The signing secret of {obj.url} is {form.created_secret} . Store it now: it is not shown again.",
                messages.WARNING,
            )

    @admin.display(description="event types")
    def events(self, obj: Endpoint) -> str:
        return ", ".join(obj.event_types) if obj.event_types else "all"

    @admin.display(description="signing secrets")
    def secrets(self, obj: Endpoint) -> str:
        until = overlap_ends_at(endpoint=obj, now=timezone.now())
        return f"The previous secret also signs until {until:%Y-%m-%d %H:%M} UTC." if until else "One secret."

    @admin.action(description="Rotate the signing secret (the old one signs for 24 h more)")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            rotated = endpoint_services.endpoint_rotate_secret(endpoint=endpoint)
            self.message_user(
                request,
                f"The new signing secret of {endpoint.url} is {rotated.secret} . Store it now: it is not shown "
                "again.",
                messages.WARNING,
            )

    @admin.action(description="Enable (failures forgotten, pending deliveries sent)")
    def enable(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            endpoint_services.endpoint_update(endpoint=endpoint, data={"is_active": True})
        self.message_user(request, f"{len(queryset)} endpoint(s) enabled.")

    @admin.action(description="Disable (nothing is sent until enabled)")
    def disable(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            endpoint_services.endpoint_update(endpoint=endpoint, data={"is_active": False})
        self.message_user(request, f"{len(queryset)} endpoint(s) disabled.")


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("started_at", "duration_ms", "status_code", "success", "error", "response_body")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-started_at", "-id")

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Shown only on a delivery page, which the delivery admin has already scoped to the tenant.
        return True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(TenantScopedAdmin):
    tenant_path = "endpoint__tenant_id"
    write_action = "webhooks:write"  # publishing.roles.Action.MANAGE_WEBHOOKS
    list_display = ("id", "event_type", "endpoint", "status", "attempts", "next_attempt_at", "last_attempt_at",
                    "delivered_at")
    list_filter = ("status", "event__type")
    list_select_related = ("event", "endpoint")
    fields = ("endpoint", "event_type", "event_id_", "payload", "status", "attempts", "next_attempt_at",
              "give_up_at", "last_attempt_at", "delivered_at", "created_at")
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="event", ordering="event__type")
    def event_type(self, obj: Delivery) -> str:
        return obj.event.type

    @admin.display(description="event id")
    def event_id_(self, obj: Delivery) -> str:
        return str(obj.event_id)

    @admin.display(description="payload")
    def payload(self, obj: Delivery) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(obj.event.payload(), indent=2, sort_keys=True))

    @admin.action(description="Redeliver now")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        sent = 0
        refused: list[str] = []
        for delivery in queryset.select_related("endpoint"):
            try:
                delivery_services.delivery_redeliver(delivery=delivery)
            except DomainError as err:
                refused.append(f"{delivery.pk}: {err.public_message}")
            else:
                sent += 1
        if sent:
            self.message_user(request, f"{sent} deliveries queued to be sent again.")
        for refusal in refused:
            self.message_user(request, refusal, messages.ERROR)
