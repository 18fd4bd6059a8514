"""The admin's page of projects' design styles, written through ``designs.services`` as the API
and the planner write them (publishing's ``ServiceForm``: what the service refuses shows on its field)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model
from django.http import HttpRequest

from designs.models import DesignStyle
from designs.services import STYLE_FIELDS, design_style_delete, design_style_update
from publishing.admin.service_forms import ServiceForm, ServiceFormAdmin


class DesignStyleForm(ServiceForm):
    class Meta:
        model = DesignStyle
        fields = ["project", "background_color", "text_color", "accent_color", "font_family", "footer_text", "logo"]

    def write(self) -> Model:
        project = self.cleaned_data["project"] if self.adding else self.instance.project
        data = {name: self.cleaned_data[name] for name in STYLE_FIELDS if self.adding or name in self.changed_data}
        logo = self.cleaned_data.get("logo")
        return design_style_update(project=project, data=data,
                                   logo=logo if isinstance(logo, UploadedFile) else None, remove_logo=logo is False)


@admin.register(DesignStyle)
class DesignStyleAdmin(ServiceFormAdmin):
    form = DesignStyleForm
    tenant_path = "project__tenant_id"
    list_display = ("project", "background_color", "text_color", "accent_color", "font_family", "footer_text")
    list_select_related = ("project",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("project",) if obj is not None else ()

    def delete_object(self, obj: Any) -> None:
        design_style_delete(style=obj)
