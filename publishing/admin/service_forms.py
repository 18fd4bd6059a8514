"""The admin's way of writing through the content services, as the REST API does.

``ServiceForm`` hands the service what changed and shows what it refuses on the field it names;
``ServiceFormAdmin`` deletes through the service, and a delete it refuses deletes nothing and
shows why (on the change page and in "Delete selected").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import model_ngettext
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.options import Options
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from pinpublisher.admin_scoping import TenantScopedAdmin
from publishing.models import Tenant
from publishing.services import content


def staff_user(request: HttpRequest) -> User:
    """The user of an admin request: the admin lets no one in who is not signed in."""
    assert isinstance(request.user, User)
    return request.user


class ServiceForm(forms.ModelForm):
    """An admin form whose object is written by a content service, exactly as the API writes it.

    The service runs while the form is validated, inside a savepoint (and inside the admin's
    transaction): what it refuses shows on the field it names and nothing is saved; what it
    accepts is already saved, so ``save()`` only hands the object back. The model's own
    validation is not run: the service holds the rules.
    """

    #: The user the write acts for; set by ``ServiceFormAdmin.get_form``.
    user: User | None = None

    def write(self) -> Model:
        """Call the service with the cleaned input and return the saved object."""
        raise NotImplementedError

    def _post_clean(self) -> None:
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

    def save(self, commit: bool = True) -> Any:
        # Called by the admin after validation: the object is saved already (no m2m fields).
        # Django itself sets save_m2m on the instance in save(); the stubs know it as a method.
        self.save_m2m = lambda: None  # type: ignore[method-assign]
        return self.instance

    @property
    def adding(self) -> bool:
        return self.instance._state.adding

    def acting_tenant(self, tenant: Tenant) -> Tenant:
        """The tenant the write acts for: a staff user's own; a superuser acts for ``tenant``."""
        assert self.user is not None, "ServiceFormAdmin.get_form sets the user"
        return tenant if self.user.is_superuser else self.user.membership.tenant

    def changed_values(self, *, ids: Iterable[str] = ()) -> dict[str, Any]:
        """What the person changed, as the services take it: a foreign key in ``ids`` by id."""
        data: dict[str, Any] = {}
        for name in self.changed_data:
            value = self.cleaned_data[name]
            if name in ids:
                data[f"{name}_id"] = value.pk if value is not None else None
            else:
                data[name] = value
        return data


class DeleteRefused(Exception):
    """A content service refused to delete an object; the message says which one and why."""


class ServiceFormAdmin(TenantScopedAdmin):
    """A ModelAdmin whose ``form`` is a ServiceForm (the form saves, ``save_model`` does not)
    and whose deletes call a content service (``delete_object``).

    The change page's "Delete" and the changelist's "Delete selected" both end in
    ``delete_model``. A refusal deletes nothing and logs nothing; it is shown as an error with
    the service's message. "Delete selected" takes each object on its own, as the API would
    one request at a time: the allowed ones are deleted and each refused one is named.
    """

    actions = ["delete_selected"]

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any
    ) -> type[ServiceForm]:
        form = super().get_form(request, obj, change, **kwargs)
        assert issubclass(form, ServiceForm)  # the admin builds its form from ours
        form.user = staff_user(request)
        return form

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: Any) -> None:
        """Nothing to do: the service saved ``obj`` while the form was validated."""

    def delete_object(self, obj: Any) -> None:
        """Call the content service that deletes ``obj``."""
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        """Delete ``obj`` through its service. Raises DeleteRefused with the service's reason."""
        try:
            self.delete_object(obj)
        except (content.ContentConflict, ObjectDoesNotExist) as err:
            raise DeleteRefused(
                _("The %(name)s “%(obj)s” was not deleted: %(reason)s")
                % {"name": self.opts.verbose_name, "obj": obj, "reason": err}
            ) from err

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Django's bulk delete, as ``delete_each`` (a refusal deletes nothing of that object)."""
        self.delete_each(request, queryset)

    def delete_each(self, request: HttpRequest, objs: Iterable[Model]) -> list[str]:
        """Delete each object as the change page does: logged and deleted in one savepoint, so
        a refused one leaves no log entry. Returns the refusals' messages."""
        refusals = []
        for obj in objs:
            try:
                with transaction.atomic():
                    # As Django's own delete_view does; the stubs ask for a QuerySet.
                    self.log_deletions(request, [obj])  # type: ignore[arg-type]
                    self.delete_model(request, obj)
            except DeleteRefused as err:
                refusals.append(str(err))
        return refusals

    def get_deleted_objects(
        self, objs: Sequence[Model] | QuerySet[Any], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        # What the confirmation page lists. The services decide what may go, per object and
        # with their own message (an article's PROTECTed pins included): Django's "protected"
        # list would refuse the whole selection, with its message, before they are asked.
        deleted, model_count, perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, perms_needed, []

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except DeleteRefused as err:
            # Raised inside the view's transaction, which rolled back (its log entry too).
            self.message_user(request, str(err), messages.ERROR)
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[object_id],
                current_app=self.admin_site.name,
            )
            preserved: dict[str, Options[Any] | str] = {
                "preserved_filters": self.get_preserved_filters(request), "opts": self.opts
            }
            return HttpResponseRedirect(add_preserved_filters(preserved, url))

    # admin.action gave Django's action its short_description; the stubs' callable does not carry it.
    @admin.action(permissions=["delete"], description=django_delete_selected.short_description)  # type: ignore[attr-defined]
    def delete_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        """Django's "Delete selected" with its confirmation page, deleting through the service."""
        if not request.POST.get("post"):
            return django_delete_selected(self, request, queryset)
        if self.get_deleted_objects(queryset, request)[2]:  # a related model the user may not delete
            raise PermissionDenied
        objs = list(queryset)
        refusals = self.delete_each(request, objs)
        deleted = len(objs) - len(refusals)
        if deleted:
            self.message_user(
                request,
                _("Successfully deleted %(count)d %(items)s.")
                % {"count": deleted, "items": model_ngettext(self.opts, deleted)},
                messages.SUCCESS,
            )
        for refusal in refusals:
            self.message_user(request, refusal, messages.ERROR)
        return None
