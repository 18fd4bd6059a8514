"""The bulk pages' input: the images dropped on the bulk page (at most ``MAX_IMAGES``, with the
project, article and board they go to), and what is done to the pins selected on the list (the
action, and what it needs: a board, or a start time and an interval). The forms judge only
themselves (a choice of this tenant, a count, a number); every rule of a pin is the services'.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from pinterest.models import Board
from planner.reads import ComposerChoices
from publishing.models import BlogArticle, BlogProject, Pin

#: At most this many images in one drop (each becomes a draft).
MAX_IMAGES = 50
#: What can be done to the selected pins, as the list offers it.
BULK_ACTIONS = [
    ("board", "Move to board"),
    ("queue", "Add to queue"),
    ("schedule", "Schedule, spaced apart"),
    ("publish", "Publish now"),
    ("delete", "Delete"),
]
INTERVAL_UNITS = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1), "days": timedelta(days=1)}
#: The longest interval between two pins (as interval pinning's).
MAX_INTERVAL = timedelta(days=365)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files under one name (Django's documented pattern); a list of them, cleaned each."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleImageField, self).clean(file, initial) for file in files]


class BulkUploadForm(forms.Form):
    """The bulk page: images, each a draft in ``project`` linking to ``article``, on ``board``."""

    images = MultipleImageField(label="Images", required=False)
    project: forms.ModelChoiceField[BlogProject] = forms.ModelChoiceField(queryset=None, empty_label=None)
    article: forms.ModelChoiceField[BlogArticle] = forms.ModelChoiceField(
        queryset=None, label="Link (article)", empty_label="Choose an article")
    board: forms.ModelChoiceField[Board] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Choose a board")

    def __init__(self, *args: Any, choices: ComposerChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = choices.projects  # type: ignore[attr-defined]
        self.fields["article"].queryset = choices.articles  # type: ignore[attr-defined]
        self.fields["board"].queryset = choices.boards  # type: ignore[attr-defined]

    def clean_images(self) -> list[UploadedFile]:
        images: list[UploadedFile] = self.cleaned_data.get("images") or []
        if not images:
            raise forms.ValidationError("Choose or drop at least one image.")
        if len(images) > MAX_IMAGES:
            raise forms.ValidationError(
                f"At most {MAX_IMAGES} images at a time: you chose {len(images)}. Nothing was created; "
                f"drop them in groups of {MAX_IMAGES} or fewer.")
        return images


class BulkActionForm(forms.Form):
    """What to do to the pins selected on the list. The start of a spaced schedule is typed as a
    wall time, read in each pin's project's zone."""

    pins: forms.ModelMultipleChoiceField[Pin] = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": "Select at least one pin."})
    action = forms.ChoiceField(choices=[("", "Choose an action"), *BULK_ACTIONS], label="Action")
    board: forms.ModelChoiceField[Board] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Choose a board", label="Board")
    start_at = forms.DateTimeField(
        required=False, label="First at", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    every = forms.IntegerField(required=False, min_value=1, initial=1, label="Then every")
    unit = forms.ChoiceField(choices=[(name, name) for name in INTERVAL_UNITS], initial="days", label="Unit",
                             required=False)

    def __init__(self, *args: Any, pins: QuerySet[Pin], boards: QuerySet[Board], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pins"].queryset = pins  # type: ignore[attr-defined]
        self.fields["board"].queryset = boards  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "board" and not data.get("board"):
            self.add_error("board", "Choose the board to move the pins to.")
        if action == "schedule":
            if data.get("start_at") is None:
                self.add_error("start_at", "Give the date and time of the first pin.")
            if data.get("every") is None:
                self.add_error("every", "Give the interval between two pins.")
            elif self.interval() > MAX_INTERVAL:
                self.add_error("every", "At most a year between two pins.")
        return data

    def interval(self) -> timedelta:
        data = self.cleaned_data
        return (data.get("every") or 0) * INTERVAL_UNITS[data.get("unit") or "days"]

    def selected(self, order: list[str]) -> list[Pin]:
        """The pins selected, in the order the list showed them (``order``: their ids as sent)."""
        pins = {str(pin.pk): pin for pin in self.cleaned_data["pins"]}
        return [pins[pin_id] for pin_id in dict.fromkeys(order) if pin_id in pins]

    def start(self) -> datetime | None:
        start: datetime | None = self.cleaned_data.get("start_at")
        return start
