"""Admin for tenants, projects, articles, pins, attempts and batches.

Projects, articles and pins are written by the same content services as the REST API
(``publishing.services.content``): the admin form only hands them what changed and shows
what they refuse on the field they name.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from pinpublisher.admin_scoping import TenantScopedAdmin, guard_admin_site
from publishing.engine import pins_publish_bulk
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
from publishing.services import content
from publishing.services.readiness import pins_mark_ready, pins_retry_failed


class ServiceForm(forms.ModelForm):
    """An admin form whose object is written by a content service, exactly as the API writes it.

    The service runs while the form is validated, inside a savepoint (and inside the admin's
    transaction): what it refuses shows on the field it names and nothing is saved; what it
    accepts is already saved, so ``save()`` only hands the object back. The model's own
    validation is not run: the service holds the rules.
    """

    #: The user the write acts for; set by ``ServiceFormAdmin.get_form``.
    user = None

    def write(self):
        """Call the service with the cleaned input and return the saved object."""
        raise NotImplementedError

    def _post_clean(self):
        # Takes the place of ModelForm's model validation (full_clean, validate_unique).
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.instance = self.write()
        except ValidationError as err:
            for field, errors in err.update_error_dict({}).items():
                if field in self.fields or field == NON_FIELD_ERRORS:
                    self.add_error(field if field in self.fields else None, errors)
                else:
                    # A rule about a field this form shows read-only: say which field.
                    texts = ValidationError(errors).messages
                    self.add_error(None, [f"{field}: {text}" for text in texts])
        except (content.ContentConflict, ObjectDoesNotExist) as err:
            self.add_error(None, str(err))

    def save(self, commit=True):
        # Called by the admin after validation: the object is saved already (no m2m fields).
        self.save_m2m = lambda: None
        return self.instance

    @property
    def adding(self):
        return self.instance._state.adding

    def acting_tenant(self, tenant):
        """The tenant the write acts for: a staff user's own; a superuser acts for ``tenant``."""
        return tenant if self.user.is_superuser else self.user.membership.tenant

    def changed_values(self, *, ids=()):
        """What the person changed, as the services take it: a foreign key in ``ids`` by id."""
        data = {}
        for name in self.changed_data:
            value = self.cleaned_data[name]
            if name in ids:
                data[f"{name}_id"] = value.pk if value is not None else None
            else:
                data[name] = value
        return data


class ServiceFormAdmin(TenantScopedAdmin):
    """A ModelAdmin whose ``form`` is a ServiceForm: the form saves, ``save_model`` does not."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        """Nothing to do: the service saved ``obj`` while the form was validated."""


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


class BlogProjectForm(ServiceForm):
    class Meta:
        model = BlogProject
        fields = ("tenant", "name", "pinterest_connection")

    def write(self):
        data = self.changed_values(ids=("pinterest_connection",))
        if self.adding:
            data.pop("tenant", None)
            tenant = self.acting_tenant(self.cleaned_data["tenant"])
            return content.project_create(tenant=tenant, **data)
        return content.project_update(project=self.instance, data=data)


@admin.register(BlogProject)
class BlogProjectAdmin(ServiceFormAdmin):
    form = BlogProjectForm
    tenant_path = "tenant_id"
    list_display = ("name", "tenant", "pinterest_connection", "created_at")
    list_filter = ("tenant",)
    search_fields = ("name", "tenant__name")
    list_select_related = ("tenant", "pinterest_connection")

    def get_readonly_fields(self, request, obj=None):
        # A project never moves to another tenant (the API cannot move one either).
        if obj is not None:
            return (*super().get_readonly_fields(request, obj), "tenant")
        return super().get_readonly_fields(request, obj)


class BlogArticleForm(ServiceForm):
    class Meta:
        model = BlogArticle
        fields = ("project", "url", "title")

    def write(self):
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


class ImageUploadInput(forms.ClearableFileInput):
    """Shows the current upload but has no "clear" box: as in the API, an upload is replaced
    (by another one or by an image_url), never just removed."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["required"] = True  # what hides the box in Django's template
        return context

    def value_from_datadict(self, data, files, name):
        return files.get(name)


class PinForm(ServiceForm):
    """A pin as the API takes it: a draft is created by ``pin_create``, a change goes through
    ``pin_update`` (and a new ``scheduled_at`` through ``pin_schedule``/``pin_unschedule``)."""

    # A plain file field, not an ImageField: the service judges the upload, with the API's messages.
    image = forms.FileField(required=False, widget=ImageUploadInput)

    class Meta:
        model = Pin
        fields = (
            "project", "article", "board", "image", "image_url", "title", "description", "alt_text",
            "scheduled_at",
        )

    def write(self):
        data = self.changed_values(ids=("project", "article", "board"))
        if self.adding:
            tenant = self.acting_tenant(self.cleaned_data["project"].tenant)
            return content.pin_create(tenant=tenant, **data)
        schedule = "scheduled_at" in data
        scheduled_at = data.pop("scheduled_at", None)
        # Called even when nothing changed: its guard refuses a publishing or published pin.
        pin = content.pin_update(pin=self.instance, data=data)
        if not schedule:
            return pin
        try:
            if scheduled_at is None:
                return content.pin_unschedule(pin=pin)
            return content.pin_schedule(pin=pin, scheduled_at=scheduled_at)
        except BaseException:
            # The savepoint undoes the update; the image it stored is not in the database.
            if "image" in data:
                pin.image.storage.delete(pin.image.name)
            raise


@admin.register(Pin)
class PinAdmin(ServiceFormAdmin):
    form = PinForm
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
        "claimed_at",
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
        # A new pin is a draft, as in the API; it is scheduled once it exists.
        if obj is None:
            return (*super().get_readonly_fields(request, obj), "scheduled_at")
        return super().get_readonly_fields(request, obj)

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


# Last app in INSTALLED_APPS: every other app's ModelAdmin is registered by now.
guard_admin_site(admin.site)
