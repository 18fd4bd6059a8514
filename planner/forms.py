"""The composer's input, parsed into what the content services take (the API's names: ``project_id``,
``board_id``, ``image``, ``carousel``, ``scheduled_at``...). The form judges only the form itself
(a choice of this tenant, a number, a date); every rule of a pin is the services', and what they
refuse comes back on the field they name (``show_refusal``).

Only the chosen kind's media is handed on: the page hides the other kinds' fields, and whatever
they still hold is ignored. A time is typed in the project's zone (``local_to_utc``: a wall time
that happens twice is its first, one in a spring-forward gap the end of the gap).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet

from pinterest.limits import CAROUSEL_MAX, TEXT_LIMITS
from pinterest.models import Board, BoardSection
from planner.reads import ComposerChoices, project_zone
from publishing.models import BlogArticle, BlogProject, Pin, PinKind, PinStatus
from publishing.selectors_queue import local_to_utc

#: The media fields of each kind (the rest of the form is the same for every kind).
KIND_FIELDS = {
    PinKind.IMAGE: ("image", "image_url"),
    PinKind.CAROUSEL: ("carousel",),
    PinKind.VIDEO: ("video", "cover_image", "cover_image_url", "cover_key_frame_seconds"),
}
#: What an image or a video pin shows (a cover alone shows nothing).
SHOWN_BY = {PinKind.IMAGE: ("image", "image_url"), PinKind.VIDEO: ("video",)}
#: The hidden field holding the carousel rows' order as shown ("2,0,1,3,4").
CAROUSEL_ORDER = "carousel-order"
CAROUSEL_ITEM_FIELDS = ("id", "image", "image_url", "title", "description", "link", "remove")
#: Actions of the composer's buttons.
ACTIONS = ("draft", "schedule", "queue", "publish", "unschedule")


def carousel_name(index: int, field: str) -> str:
    return f"carousel-{index}-{field}"


class ComposerForm(forms.Form):
    """One pin's composer: new (``pin`` None) or an edit of ``pin``."""

    project: forms.ModelChoiceField[BlogProject] = forms.ModelChoiceField(queryset=None, empty_label=None)
    article: forms.ModelChoiceField[BlogArticle] = forms.ModelChoiceField(
        queryset=None, label="Link (article)", empty_label="Choose an article")
    # Plain text: the service judges the link (http or https, its length), with the API's messages.
    link = forms.CharField(required=False, label="Pin link", max_length=None,
                           widget=forms.URLInput(attrs={"placeholder": "The article's URL"}))
    kind = forms.ChoiceField(choices=PinKind.choices, initial=PinKind.IMAGE, widget=forms.RadioSelect)
    title = forms.CharField(required=False, strip=False)
    description = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 5}))
    alt_text = forms.CharField(required=False, strip=False, label="Alt text",
                               widget=forms.Textarea(attrs={"rows": 2}))
    image = forms.FileField(required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    image_url = forms.URLField(required=False, label="or an image URL", assume_scheme="https")
    video = forms.FileField(required=False, widget=forms.ClearableFileInput(attrs={"accept": "video/*"}))
    cover_image = forms.FileField(required=False, label="Cover image",
                                  widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    cover_image_url = forms.URLField(required=False, label="or a cover URL", assume_scheme="https")
    cover_key_frame_seconds = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1,
                                                 label="or the frame at second")
    board: forms.ModelChoiceField[Board] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Choose a board")
    board_section: forms.ModelChoiceField[BoardSection] = forms.ModelChoiceField(
        queryset=None, required=False, label="Section", empty_label="No section")
    scheduled_at = forms.DateTimeField(
        required=False, label="Publish at", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, choices: ComposerChoices, pin: Pin | None = None, **kwargs: Any) -> None:
        self.pin = pin
        if pin is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(pin)
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["project"].queryset = choices.projects  # type: ignore[attr-defined]
        fields["article"].queryset = choices.articles  # type: ignore[attr-defined]
        fields["board"].queryset = choices.boards  # type: ignore[attr-defined]
        fields["board_section"].queryset = choices.sections  # type: ignore[attr-defined]
        for name, limit in TEXT_LIMITS.items():
            fields[name].widget.attrs.update({"data-limit": str(limit), "data-counted": name})
        fields[CAROUSEL_ORDER] = forms.CharField(required=False, widget=forms.HiddenInput,
                                                 initial=",".join(map(str, range(CAROUSEL_MAX))))
        for index in range(CAROUSEL_MAX):
            fields[carousel_name(index, "id")] = forms.IntegerField(required=False, widget=forms.HiddenInput)
            fields[carousel_name(index, "image")] = forms.FileField(
                required=False, label="Image", widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
            fields[carousel_name(index, "image_url")] = forms.URLField(
                required=False, label="or URL", assume_scheme="https")
            fields[carousel_name(index, "title")] = forms.CharField(required=False, strip=False, label="Title")
            fields[carousel_name(index, "description")] = forms.CharField(
                required=False, strip=False, label="Description")
            fields[carousel_name(index, "link")] = forms.URLField(
                required=False, label="Link", assume_scheme="https")
            fields[carousel_name(index, "remove")] = forms.BooleanField(required=False, label="Remove")

    # --- what the services take --------------------------------------------------------------

    @property
    def chosen_kind(self) -> PinKind:
        return PinKind(self.cleaned_data.get("kind") or PinKind.IMAGE)

    def carousel_order(self) -> list[int]:
        """The rows' indexes in the order the page shows them (``carousel-order``, which the page's
        drag and Move buttons keep); rows it does not name follow in their own order."""
        named = []
        for part in str(self.cleaned_data.get(CAROUSEL_ORDER) or "").split(","):
            if part.strip().isdigit() and int(part) < CAROUSEL_MAX and int(part) not in named:
                named.append(int(part))
        return named + [index for index in range(CAROUSEL_MAX) if index not in named]

    def carousel_items(self) -> list[dict[str, Any]] | None:
        """The carousel as the services take it (``check_carousel``): the rows that hold something,
        in the order shown; a kept item by ``id`` unless a new image replaces it. None when no row
        holds anything."""
        items = []
        data = self.cleaned_data
        for index in self.carousel_order():
            row = {field: data.get(carousel_name(index, field)) for field in CAROUSEL_ITEM_FIELDS}
            if row["remove"]:
                continue
            item: dict[str, Any] = {name: row[name] or "" for name in ("title", "description", "link")}
            if row["image"]:
                item["image"] = row["image"]
            elif row["image_url"]:
                item["image_url"] = row["image_url"]
            elif row["id"] is not None:
                item["id"] = row["id"]
            elif not any(item.values()):
                continue
            items.append(item)
        return items or None

    def _carousel_changed(self) -> bool:
        return any(name.startswith("carousel-") for name in self.changed_data)

    def media_data(self) -> dict[str, Any]:
        """The chosen kind's media that the person gave (an edit: changed)."""
        kind, data, editing = self.chosen_kind, self.cleaned_data, self.pin is not None
        kind_changed = editing and self.pin is not None and kind != self.pin.kind
        given: dict[str, Any] = {}
        if kind == PinKind.CAROUSEL:
            if not editing or kind_changed or self._carousel_changed():
                given["carousel"] = self.carousel_items() or []
            return given
        for name in KIND_FIELDS[kind]:
            value = data.get(name)
            if not editing:
                if value not in (None, ""):
                    given[name] = value
            elif name in self.changed_data or (kind_changed and value not in (None, "")):
                given[name] = value if value is not None or name == "cover_key_frame_seconds" else ""
        if (not editing or kind_changed) and not any(given.get(name) for name in SHOWN_BY[kind]):
            # The kind chosen needs what it shows (a carousel's count is the service's to say).
            self.add_error(SHOWN_BY[kind][0], f"Choose the {kind.label.lower()} this pin shows.")
        return given

    def create_data(self) -> dict[str, Any]:
        """The keyword arguments of ``content.pin_create`` (without the tenant and the time)."""
        data = self.cleaned_data
        return {
            "project_id": data["project"].pk,
            "article_id": data["article"].pk,
            "board_id": data["board"].pk if data.get("board") else None,
            "board_section_id": data["board_section"].pk if data.get("board_section") else None,
            "title": data.get("title") or "",
            "description": data.get("description") or "",
            "alt_text": data.get("alt_text") or "",
            "link": data.get("link") or "",
            **self.media_data(),
        }

    def update_data(self) -> dict[str, Any]:
        """What changed, as ``content.pin_update`` takes it (``data``)."""
        data = self.cleaned_data
        changes: dict[str, Any] = {}
        for name in ("project", "article", "board", "board_section"):
            if name in self.changed_data:
                changes[f"{name}_id"] = data[name].pk if data.get(name) else None
        for name in (*TEXT_LIMITS, "link"):
            if name in self.changed_data:
                changes[name] = data.get(name) or ""
        changes.update(self.media_data())
        return changes

    def scheduled_time(self, *, required: bool) -> datetime | None:
        """The typed time in the project's zone, as an instant; None when none was typed (an error
        on ``scheduled_at`` when ``required``)."""
        typed = self.cleaned_data.get("scheduled_at")
        if typed is None:
            if required:
                self.add_error("scheduled_at", "Give the date and time to publish at.")
            return None
        # The zone the services schedule in: a stored name that is no zone is refused (``timezone``).
        return local_to_utc(day=typed.date(), at=typed.time(), zone=self.cleaned_data["project"].zone)

    def show_refusal(self, err: ValidationError) -> None:
        """Put a service's refusal on the fields it names (an unknown name on the form as a whole,
        the name said)."""
        for field, errors in err.update_error_dict({}).items():
            target = "carousel" if field == "carousel" else field
            if target in self.fields:
                self.add_error(target, errors)
            elif target == "carousel":
                self.add_error(None, [f"Carousel: {text}" for text in ValidationError(errors).messages])
            elif field == NON_FIELD_ERRORS:
                self.add_error(None, errors)
            else:
                self.add_error(None, [f"{field.replace('_', ' ').capitalize()}: {text}"
                                      for text in ValidationError(errors).messages])

    def carousel_errors(self) -> list[str]:
        texts = [str(text) for text in self.non_field_errors()]
        return [text.removeprefix("Carousel: ") for text in texts if text.startswith("Carousel: ")]

    def general_errors(self) -> list[str]:
        return [str(text) for text in self.non_field_errors() if not str(text).startswith("Carousel: ")]


def initial_of(pin: Pin) -> dict[str, Any]:
    """The form's starting values for ``pin`` (its time in its project's zone, as typed)."""
    initial: dict[str, Any] = {
        "project": pin.project_id, "article": pin.article_id, "kind": pin.kind,
        "title": pin.title, "description": pin.description, "alt_text": pin.alt_text,
        "link": pin.link, "image_url": pin.image_url, "cover_image_url": pin.cover_image_url,
        "cover_key_frame_seconds": pin.cover_key_frame_seconds,
        "board": pin.board_id, "board_section": pin.board_section_id,
    }
    if pin.scheduled_at is not None and pin.status != PinStatus.PUBLISHED:
        local = pin.scheduled_at.astimezone(project_zone(pin.project))
        initial["scheduled_at"] = local.replace(tzinfo=None, second=0, microsecond=0)
    for item in pin.carousel_items.all():
        index = item.position
        initial.update({carousel_name(index, "id"): item.pk, carousel_name(index, "title"): item.title,
                        carousel_name(index, "description"): item.description,
                        carousel_name(index, "link"): item.link})
    return initial


#: The statuses as the list names them (``reads.status_label``).
STATUS_FILTER_CHOICES = [(PinStatus.DRAFT, "Draft"), (PinStatus.READY_TO_SCHEDULE, "Scheduled"),
                         (PinStatus.PUBLISHING, "Publishing"), (PinStatus.PUBLISHED, "Published"),
                         (PinStatus.ERROR, "Failed"), (PinStatus.IN_REVIEW, "In review")]


class PinListFilter(forms.Form):
    project: forms.ModelChoiceField[BlogProject] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All projects")
    status = forms.ChoiceField(choices=[("", "Any status"), *STATUS_FILTER_CHOICES], required=False)

    def __init__(self, *args: Any, projects: QuerySet[BlogProject], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
