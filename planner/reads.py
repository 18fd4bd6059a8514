"""What the planner's pages read, all through the selectors and within the member's tenant: the
pins list, and what the composer offers (projects with their zone and next free queue slot,
articles with their link, the boards of each account with their sections).

The composer's pickers are narrowed in the page (boards of the project's account, sections of the
chosen board) from ``composer_choices().as_json()``; the services judge what is sent whatever the
page showed (``publishing.rules.boards``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from pinpublisher.timezones import format_when, zone_name, zone_of
from pinterest.models import Board, BoardSection
from pinterest.selectors import board_sections_for_tenant, boards_for_tenant
from publishing import selectors, selectors_queue
from publishing.models import BlogArticle, BlogProject, Pin, PinKind, PinStatus, Tenant
from publishing.selectors import PinFilters

#: How far ahead the composer looks for the queue's next free slot.
QUEUE_LOOKAHEAD_DAYS = 28
#: Pins per page of the list.
PAGE_SIZE = 24


def link_domain(url: str) -> str:
    """The host a pin links to, as Pinterest shows it under the pin ("example.com")."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def project_zone(project: BlogProject) -> tzinfo:
    """The zone the project's times are typed and shown in (the server's when its name is no zone)."""
    return zone_of(project.timezone)


def zone_label(project: BlogProject, at: datetime | None = None) -> str:
    """The zone named as people read it: "Europe/Berlin (CEST)"."""
    zone = project_zone(project)
    moment = at or datetime.now(zone)
    abbreviation = moment.astimezone(zone).tzname() or ""
    name = zone_name(zone)
    return name if abbreviation in ("", name) else f"{name} ({abbreviation})"


def next_queue_slot(*, project: BlogProject, pin: Pin | None = None) -> datetime | None:
    """The slot "Add to queue" would give ``pin`` now: the project's first free slot ahead (the
    pin's own minute counts as free), or None (no posting slots, or none free within the lookahead)."""
    try:
        slots = selectors_queue.project_queue_list(project=project, days=QUEUE_LOOKAHEAD_DAYS)
    except ValidationError:  # a project whose stored zone is no zone: the queue refuses it too
        return None
    for slot in slots:
        if slot.is_free or (pin is not None and slot.pin is not None and slot.pin.pk == pin.pk):
            return slot.at
    return None


def queue_slot_label(*, project: BlogProject, pin: Pin | None = None) -> str:
    if not project.posting_slots.exists():
        return "No posting slots: add weekly slots to the project first."
    slot = next_queue_slot(project=project, pin=pin)
    if slot is None:
        return f"No free slot in the next {QUEUE_LOOKAHEAD_DAYS} days."
    return format_when(slot, zone=project_zone(project))


@dataclass(frozen=True)
class ComposerChoices:
    """What the composer may offer a tenant: its projects, articles, boards (not archived) and
    their sections (not archived); ``pin``'s own board and section stay offered even archived, so
    an edit shows what the pin has (a schedule then says why it cannot go there)."""

    projects: QuerySet[BlogProject]
    articles: QuerySet[BlogArticle]
    boards: QuerySet[Board]
    sections: QuerySet[BoardSection]
    pin: Pin | None = None

    def as_json(self) -> dict[str, Any]:
        """For the page's script: each project's zone, account and queue slot; each article's
        project and link; each board's account and sections."""
        return {
            "projects": {
                str(project.pk): {
                    "connection": project.pinterest_connection_id,
                    "zone": zone_label(project),
                    "queue": queue_slot_label(project=project, pin=self.pin),
                }
                for project in self.projects
            },
            "articles": {
                str(article.pk): {"project": article.project_id, "url": article.url,
                                  "domain": link_domain(article.url)}
                for article in self.articles
            },
            "boards": {str(board.pk): {"connection": board.connection_id} for board in self.boards},
            "sections": {str(section.pk): {"board": section.board_id} for section in self.sections},
        }


def composer_choices(*, tenant: Tenant, pin: Pin | None = None) -> ComposerChoices:
    boards = boards_for_tenant(tenant=tenant)
    sections = board_sections_for_tenant(tenant=tenant)
    kept_board = [pin.board_id] if pin is not None and pin.board_id else []
    kept_section = [pin.board_section_id] if pin is not None and pin.board_section_id else []
    return ComposerChoices(
        projects=selectors.projects_for_tenant(tenant=tenant),
        articles=selectors.articles_for_tenant(tenant=tenant).select_related("project"),
        boards=(boards.filter(is_archived=False) | boards.filter(pk__in=kept_board)).order_by("name", "id"),
        sections=(sections.filter(is_archived=False) | sections.filter(pk__in=kept_section)).order_by("name", "id"),
        pin=pin,
    )


# --- the pins list ---------------------------------------------------------------------------


def pins_page(*, tenant: Tenant, project_id: int | None, status: str | None) -> QuerySet[Pin]:
    """The tenant's pins for the list, newest first, with what a card shows."""
    filters = PinFilters(project_id=project_id, statuses=(status,) if status else ())
    return selectors.pins_for_tenant(tenant=tenant, filters=filters).select_related("project", "board")


def thumbnail_url(pin: Pin) -> str:
    """The picture a card shows: the image, a carousel's first image, a video's cover; "" if none."""
    if pin.kind == PinKind.CAROUSEL:
        items = list(pin.carousel_items.all())
        if not items:
            return ""
        first = items[0]
        return first.image.url if first.image else first.image_url
    if pin.kind == PinKind.VIDEO:
        return pin.cover_image.url if pin.cover_image else pin.cover_image_url
    return pin.image.url if pin.image else pin.image_url


STATUS_TONES: dict[str, str] = {
    PinStatus.DRAFT: "neutral",
    PinStatus.READY_TO_SCHEDULE: "info",
    PinStatus.PUBLISHING: "warn",
    PinStatus.PUBLISHED: "ok",
    PinStatus.ERROR: "bad",
    PinStatus.IN_REVIEW: "warn",
}


def status_label(pin: Pin) -> str:
    """The status as a marketer reads it: "Scheduled" for a pin ready with its time (the time is
    shown beside it), "Failed" for an error; the others by their name."""
    if pin.status == PinStatus.READY_TO_SCHEDULE:
        return "Scheduled" if pin.scheduled_at is not None else "Ready, no time set"
    return STATUS_LABELS.get(pin.status, pin.get_status_display())


STATUS_LABELS: dict[str, str] = {
    PinStatus.DRAFT: "Draft",
    PinStatus.PUBLISHING: "Publishing\u2026",
    PinStatus.PUBLISHED: "Published",
    PinStatus.ERROR: "Failed",
    PinStatus.IN_REVIEW: "In review",
}
