"""Reads of the publishing app: every query a view, the admin, a command or a job makes.

Each selector takes the tenant first and returns a queryset scoped to it; callers add
nothing but pagination, so no read can forget the tenant.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from django.db.models import Case, Count, F, OrderBy, Q, QuerySet, Value, When

from pinterest.models import Board, PinterestConnection
from publishing.conf import publishing_settings
from publishing.models import (
    BlogArticle,
    BlogProject,
    CarouselItem,
    Membership,
    Pin,
    PinStatus,
    PublishBatch,
    PublishBatchItem,
    Tenant,
)

# What a pin list may be ordered by (each also with a leading "-" for descending).
PIN_ORDERING_FIELDS = ("created_at", "updated_at", "scheduled_at", "published_at", "title", "status")
PIN_DEFAULT_ORDERING = ("-created_at",)


@dataclass(frozen=True)
class PinFilters:
    """Conditions on a tenant's pins; ``None`` or empty means "any"."""

    statuses: tuple[str, ...] = ()
    project_id: int | None = None
    article_id: int | None = None
    board_id: int | None = None
    # The account a pin publishes through is its project's (the engine and the rules read
    # ``pin.project.pinterest_connection``; a board must be of that account, and a draft may have none).
    connection_id: int | None = None
    scheduled_after: datetime | None = None  # scheduled_at >= this
    scheduled_before: datetime | None = None  # scheduled_at < this
    ordering: tuple[str, ...] = ()  # names from PIN_ORDERING_FIELDS, "-" for descending


def projects_for_tenant(*, tenant: Tenant) -> QuerySet[BlogProject]:
    return BlogProject.objects.filter(tenant=tenant).order_by("name", "id")


def articles_for_tenant(*, tenant: Tenant, project_id: int | None = None) -> QuerySet[BlogArticle]:
    articles = BlogArticle.objects.filter(project__tenant=tenant)
    if project_id is not None:
        articles = articles.filter(project_id=project_id)
    return articles.order_by("-created_at", "-id")


def _order_by(name: str) -> OrderBy:
    # NULLs (e.g. an unscheduled pin's scheduled_at) last in both directions, on every database.
    if name.startswith("-"):
        return F(name[1:]).desc(nulls_last=True)
    return F(name).asc(nulls_last=True)


def pins_for_tenant(*, tenant: Tenant, filters: PinFilters | None = None) -> QuerySet[Pin]:
    """A tenant's pins, filtered and ordered; ties are broken by id so pages never overlap."""
    filters = filters or PinFilters()
    pins = Pin.objects.filter(project__tenant=tenant)
    if filters.statuses:
        pins = pins.filter(status__in=filters.statuses)
    if filters.project_id is not None:
        pins = pins.filter(project_id=filters.project_id)
    if filters.article_id is not None:
        pins = pins.filter(article_id=filters.article_id)
    if filters.board_id is not None:
        pins = pins.filter(board_id=filters.board_id)
    if filters.connection_id is not None:
        pins = pins.filter(project__pinterest_connection_id=filters.connection_id)
    if filters.scheduled_after is not None:
        pins = pins.filter(scheduled_at__gte=filters.scheduled_after)
    if filters.scheduled_before is not None:
        pins = pins.filter(scheduled_at__lt=filters.scheduled_before)
    ordering = filters.ordering or PIN_DEFAULT_ORDERING
    # A page of pins shows every carousel's items: one more query per page, not one per pin.
    return pins.order_by(*(_order_by(name) for name in ordering), "id").prefetch_related("carousel_items")


def pin_for_tenant(*, tenant: Tenant, pin_id: uuid.UUID | str) -> Pin:
    """One of the tenant's pins. Raises Pin.DoesNotExist.

    Related objects load when a write needs them: a read needs none, and it is the hot path.
    """
    pin = Pin.objects.filter(project__tenant=tenant, pk=pin_id).first()
    if pin is None:
        raise Pin.DoesNotExist(f"Pin {pin_id} not found.")
    return pin


def board_for_tenant(*, tenant: Tenant, board_id: int) -> Board | None:
    """The board ``board_id`` of one of the tenant's Pinterest accounts (with its account), or None."""
    return Board.objects.filter(connection__tenant=tenant, pk=board_id).select_related("connection").first()


def article_for_tenant(*, tenant: Tenant, article_id: int) -> BlogArticle | None:
    """The article ``article_id`` of one of the tenant's projects, or None."""
    return BlogArticle.objects.filter(project__tenant=tenant, pk=article_id).first()


# --- the sweep's reads (not tenant-scoped: the sweep serves every tenant) ----------------


def pins_due(*, now: datetime) -> QuerySet[Pin]:
    """Pins to publish now: ready, scheduled at or before ``now``, with an active connection
    that is not spam blocked and whose token is usable (not expired while its refresh waits
    for a retry after failing).

    Served by the partial index ``pin_ready_scheduled_idx`` (scheduled_at WHERE status =
    'ready_to_schedule'), so its cost follows the number of ready pins, not all pins.
    """
    return (
        Pin.objects.filter(
            status="ready_to_schedule",
            scheduled_at__lte=now,
            project__pinterest_connection__is_active=True,
        )
        .exclude(project__pinterest_connection__spam_blocked_until__gt=now)
        .exclude(
            project__pinterest_connection__access_token_expires_at__lte=now,
            project__pinterest_connection__next_refresh_at__gt=now,
        )
    )


def batch_items_waiting() -> QuerySet[PublishBatchItem]:
    """Items of unfinished batches whose pin may be claimed now (a pin someone is publishing
    is not waiting: its publisher records the result on the item)."""
    return PublishBatchItem.objects.filter(
        success__isnull=True, batch__finished_at__isnull=True, pin__status__in=Pin.PUBLISHABLE_STATUSES
    )


#: Everything publishing a pin needs beside the pin (article, board, project, account). Not the
#: board's connection: the rules compare the board's ``connection_id`` with the project's, and only
#: the message for a board of another account names it (read then); a second copy of the
#: account's row on every claim cost a tenth of the claim's CPU.
PIN_RELATIONS = ("article", "board", "board_section", "project", "project__pinterest_connection")


def pins_with_relations() -> QuerySet[Pin]:
    """Pins with everything publishing one needs (article, board, project, account), in one query."""
    return Pin.objects.select_related(*PIN_RELATIONS)


def connections_holding_due_pins(*, now: datetime) -> QuerySet[PinterestConnection]:
    """Connections with pins scheduled by ``now`` that they cannot publish: inactive, spam
    blocked, or with an expired token whose refresh waits for a retry."""
    refresh_waiting = Q(access_token_expires_at__lte=now, next_refresh_at__gt=now)
    held_back = Q(is_active=False) | Q(spam_blocked_until__gt=now) | refresh_waiting
    return PinterestConnection.objects.filter(held_back).filter(
        projects__pins__status="ready_to_schedule", projects__pins__scheduled_at__lte=now
    ).distinct().order_by("pk")


def pins_lease_expired(*, now: datetime) -> QuerySet[Pin]:
    """Pins still ``publishing`` after their lease: a worker died or an outcome is unknown."""
    lease_start = now - timedelta(seconds=publishing_settings.PUBLISH_LEASE_SECONDS)
    return Pin.objects.filter(status="publishing", publishing_started_at__lt=lease_start)


class PinsDashboard(TypedDict):
    """``pins_dashboard``: pins by status, the next to publish, the last failures."""

    counts: dict[str, int]
    upcoming: list[Pin]
    failures: list[Pin]


def pins_dashboard(*, tenant_id: int | None, now: datetime, size: int = 5) -> PinsDashboard:
    """Counts by status, the next pins to publish (ready, due ones first: a due pin still here is
    waiting for something) and the last failures (of one tenant, or all)."""
    from django.db.models import Count

    pins = Pin.objects.all() if tenant_id is None else Pin.objects.filter(project__tenant_id=tenant_id)
    counts = dict(pins.values_list("status").annotate(n=Count("id")).values_list("status", "n").order_by())
    upcoming = list(
        pins.filter(status="ready_to_schedule", scheduled_at__isnull=False)
        .select_related("board", "project__pinterest_connection")
        .order_by("scheduled_at")[:size]
    )
    failures = list(pins.filter(status="error").select_related("project").order_by("-updated_at")[:size])
    return {"counts": counts, "upcoming": upcoming, "failures": failures}


def pins_for_tenant_ids(*, tenant: Tenant, pin_ids: Iterable[uuid.UUID | str]) -> list[uuid.UUID]:
    """Which of ``pin_ids`` are the tenant's pins."""
    return list(Pin.objects.filter(project__tenant=tenant, pk__in=list(pin_ids)).values_list("pk", flat=True))


class BatchCounts(TypedDict):
    """The annotations ``batch_counts`` gives a batch."""

    n_published: int
    n_skipped: int
    n_failed: int
    n_pending: int


def batch_counts() -> dict[str, Count]:
    """Annotations of a batch queryset: how many of its items are ``n_published``, ``n_skipped``
    (already on Pinterest, nothing sent), ``n_failed`` and ``n_pending``: as the API, the admin
    and the webhooks count them (``batch_item_outcome`` names one item the same way)."""
    return {
        "n_published": Count("items", filter=Q(items__success=True, items__skipped=False)),
        "n_skipped": Count("items", filter=Q(items__skipped=True)),
        "n_failed": Count("items", filter=Q(items__success=False)),
        "n_pending": Count("items", filter=Q(items__success__isnull=True)),
    }


def batch_outcome_counts(*, batch_id: uuid.UUID | str) -> dict[str, int]:
    """``{"published", "skipped", "failed", "pending"}`` counts of one batch (``batch_counts``)."""
    counts = PublishBatch.objects.filter(pk=batch_id).annotate(**batch_counts()).values(*batch_counts()).get()
    return {name.removeprefix("n_"): count for name, count in counts.items()}


def batch_item_outcome(*, success: bool | None, skipped: bool) -> str:
    """One item's outcome: pending, skipped, published or failed (as ``batch_counts`` counts)."""
    if success is None:
        return "pending"
    if skipped:
        return "skipped"
    return "published" if success else "failed"


def batches_for_tenant(*, tenant: Tenant) -> QuerySet[PublishBatch]:
    """The tenant's publish batches, newest first, with their counts (``batch_counts``)."""
    return PublishBatch.objects.filter(tenant=tenant).annotate(**batch_counts()).order_by("-created_at", "-pk")


def pins_file_names(*, pins: QuerySet[Pin]) -> set[str]:
    """Every file name the pins and their carousel items hold, in two queries (the files to
    delete with them, or to keep when a write is undone)."""
    names = {name for row in pins.values_list(*Pin.FILE_FIELDS) for name in row if name}
    items = CarouselItem.objects.filter(pin__in=pins.values("pk")).values_list("image", flat=True)
    return names | {name for name in items if name}


def tenant_owner_emails(*, tenant_id: int) -> list[str]:
    """The addresses of the tenant's active owners, each once, in a stable order (no members):
    who the owners' emails (``publishing.services.notifications``, ``webhooks.services.notifications``) go to."""
    emails = (
        Membership.objects.filter(tenant_id=tenant_id, role=Membership.Role.OWNER, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted({email.strip() for email in emails if email and email.strip()}, key=str.lower)


def pins_in_review(*, tenant: Tenant) -> QuerySet[Pin]:
    """The tenant's pins waiting for an owner's approval, oldest ask first, with what a review
    list shows (project, board, article, who asked)."""
    return (
        Pin.objects.filter(project__tenant=tenant, status=PinStatus.IN_REVIEW)
        .select_related("project", "board", "article", "review_requested_by")
        .order_by("review_requested_at", "pk")
    )


def pins_sent_back(*, tenant: Tenant, limit: int = 20) -> QuerySet[Pin]:
    """The tenant's drafts an owner sent back with a comment, newest decision first."""
    return (
        Pin.objects.filter(project__tenant=tenant, status=PinStatus.DRAFT).exclude(review_comment="")
        .select_related("project", "reviewed_by")
        .order_by("-reviewed_at", "pk")[:limit]
    )


def tenant_members(*, tenant_id: int) -> QuerySet[Membership]:
    """The tenant's members with their users: owners first, then editors, then viewers, each by
    username (the team's page and ``GET /api/members/``)."""
    role_order = Case(
        *(When(role=role, then=Value(rank)) for rank, role in enumerate(Membership.Role.values)),
        default=Value(len(Membership.Role.values)),
    )
    return (
        Membership.objects.filter(tenant_id=tenant_id)
        .select_related("user")
        .annotate(role_rank=role_order)
        .order_by("role_rank", "user__username", "pk")
    )
