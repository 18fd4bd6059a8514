"""A carousel pin's rows in the pin's change page: edited as one list that the pin's service
judges and saves with the pin (``PinForm.write``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextInputWidget, AdminURLFieldWidget
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html

from publishing.models import CarouselItem, Pin


class ImageUploadInput(forms.ClearableFileInput):
    """Shows the current upload but has no "clear" box: as in the API, an upload is replaced
    (by another one or by an image_url), never just removed."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["required"] = True  # what hides the box in Django's template
        return context

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, UploadedFile[Any]], name: str
    ) -> UploadedFile[Any] | None:
        return files.get(name)


class CarouselItemForm(forms.ModelForm):
    """One carousel row as a person edits it; the pin's service judges the whole carousel."""

    image = forms.FileField(required=False, widget=ImageUploadInput)
    position = forms.IntegerField(required=False, min_value=0, widget=forms.NumberInput(attrs={"style": "width:4em"}))

    class Meta:
        model = CarouselItem
        fields = ("position", "image", "image_url", "title", "description", "link")
        # Narrow enough that a row fits 1400 px with the title readable (the admin's defaults
        # overflowed the page and left the title 34 px wide).
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2, "cols": 24}),
            "image_url": AdminURLFieldWidget(attrs={"style": "width:16em"}),
            "title": AdminTextInputWidget(attrs={"style": "width:12em"}),
            "link": AdminURLFieldWidget(attrs={"style": "width:14em"}),
        }

    def _post_clean(self) -> None:
        # No model validation: ``check_carousel`` holds the rules (the same as the API's).
        pass


class CarouselFormSet(forms.BaseInlineFormSet):
    """The carousel rows handed to the pin's service as one list (``PinForm.write``); the
    service saves them, so this formset's own ``save`` saves nothing."""

    def items(self) -> list[dict[str, Any]] | None:
        """The carousel in the service's shape, ordered by position (then row); None when
        the rows did not change."""
        if not self.has_changed():
            return None
        rows: list[tuple[int, int, dict[str, Any]]] = []
        for index, form in enumerate(self.forms):
            if not form.has_changed() and form.instance.pk is None:
                continue  # an empty extra row
            # Django's own test for a row marked for deletion (its formsets' save uses it; no stub).
            if self.can_delete and self._should_delete_form(form):  # type: ignore[attr-defined]
                continue
            data = form.cleaned_data
            item: dict[str, Any] = {"title": data.get("title") or "", "description": data.get("description") or "",
                    "link": data.get("link") or ""}
            replaced = {"image", "image_url"} & set(form.changed_data)
            if form.instance.pk is not None and not replaced:
                item["id"] = form.instance.pk
            elif data.get("image"):
                item["image"] = data["image"]
            else:
                item["image_url"] = data.get("image_url") or ""
            position = data.get("position")
            rows.append((position if position is not None else 1000 + index, index, item))
        return [item for *_order, item in sorted(rows, key=lambda row: row[:2])]

    def save(self, commit: bool = True) -> list[CarouselItem]:
        # What the admin's change message reads; the service saved the rows.
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        return []


class CarouselItemInline(admin.TabularInline):
    model = CarouselItem
    form = CarouselItemForm
    formset = CarouselFormSet
    extra = 2
    max_num = 5
    fields = ("preview", "position", "image", "image_url", "title", "description", "link")
    readonly_fields = ("preview",)
    verbose_name = "carousel image"
    verbose_name_plural = "carousel (2 to 5 images of the same size, instead of one image)"

    # The rows are part of the pin: whoever may edit the pin (tenant staff too) edits them, and
    # only while the pin is editable.
    def _pin_admin(self) -> admin.ModelAdmin[Pin]:
        return self.admin_site._registry[Pin]

    def has_view_permission(self, request: HttpRequest, obj: Pin | None = None) -> bool:
        return self._pin_admin().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Pin | None = None) -> bool:
        return self._pin_admin().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_change_permission(self, request: HttpRequest, obj: Pin | None = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Pin | None = None) -> bool:
        return self.has_add_permission(request, obj)

    @admin.display(description="")
    def preview(self, obj: CarouselItem) -> str:
        url = obj.image.url if obj.image else obj.image_url
        if not url:
            return "—"
        return format_html('<img src="{}" alt="" style="height:64px;width:auto;border-radius:4px">', url)
