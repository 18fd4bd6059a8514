"""Reads of the pinterest app: every query a view, the admin, a command or a job makes."""

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from pinterest.models import REFRESH_FAILING_ALERT_AFTER, Board, BoardSection, Health, PinterestConnection, TenantRef


def connections_for_tenant(*, tenant: TenantRef) -> QuerySet[PinterestConnection]:
    return PinterestConnection.objects.filter(tenant=tenant).annotate(
        board_count=Count("boards", filter=Q(boards__is_archived=False))
    ).order_by("username", "id")


def boards_for_tenant(
    *, tenant: TenantRef, connection_id: int | None = None, is_archived: bool | None = None
) -> QuerySet[Board]:
    boards = Board.objects.filter(connection__tenant=tenant)
    if connection_id is not None:
        boards = boards.filter(connection_id=connection_id)
    if is_archived is not None:
        boards = boards.filter(is_archived=is_archived)
    return boards.order_by("name", "id").prefetch_related("sections")


def board_sections_for_tenant(*, tenant: TenantRef) -> QuerySet[BoardSection]:
    """The sections of every board of the tenant's accounts (archived ones too), with their board."""
    return BoardSection.objects.filter(board__connection__tenant=tenant).select_related("board").order_by("name", "id")


def connections_expiring(*, within: timedelta, now: datetime | None = None) -> QuerySet[PinterestConnection]:
    """Active connections whose access token or refresh token expires within ``within``."""
    limit = (now or timezone.now()) + within
    return PinterestConnection.objects.filter(is_active=True).filter(
        Q(access_token_expires_at__lte=limit) | Q(refresh_token_expires_at__lte=limit)
    ).order_by("pk")


def connections_refresh_due(*, now: datetime | None = None) -> QuerySet[PinterestConnection]:
    """Active connections whose refresh failed for a passing reason and is due to be tried again."""
    return PinterestConnection.objects.filter(
        is_active=True, next_refresh_at__isnull=False, next_refresh_at__lte=now or timezone.now()
    ).order_by("next_refresh_at", "pk")


# --- health ----------------------------------------------------------------------------------
# ``PinterestConnection.health`` judges one row; these say the same in SQL, so the admin's
# filter, the dashboard's counts and ``?health=`` agree with the column they filter.
# tests/pinterest/test_health_api_admin.py checks the two agree for every value.


def connection_health_filters(*, now: datetime) -> dict[str, Q]:
    """Each ``Health`` value as a Q, in the model method's order: inactive, spam blocked,
    refresh failing, then whether the expiry is known."""
    not_blocked = Q(spam_blocked_until__isnull=True) | Q(spam_blocked_until__lte=now)
    usable = Q(is_active=True) & not_blocked
    steady = usable & Q(refresh_failing_since__isnull=True)
    return {
        Health.OK: steady & Q(access_token_expires_at__isnull=False),
        Health.REFRESH_FAILING: usable & Q(refresh_failing_since__isnull=False),
        Health.NEEDS_RECONNECT: Q(is_active=False),
        Health.SPAM_BLOCKED: Q(is_active=True, spam_blocked_until__gt=now),
        Health.EXPIRY_UNKNOWN: steady & Q(access_token_expires_at__isnull=True),
    }


def connection_health_filter(*, health: str, now: datetime) -> Q:
    """The connections whose health at ``now`` is ``health``. Raises KeyError for an unknown value."""
    return connection_health_filters(now=now)[health]


def connections_needing_a_person_filter(*, now: datetime) -> Q:
    """``PinterestConnection.needs_a_person`` as a Q: inactive, spam blocked, or a refresh
    failing for longer than ``REFRESH_FAILING_ALERT_AFTER``."""
    health = connection_health_filters(now=now)
    return (
        health[Health.NEEDS_RECONNECT]
        | health[Health.SPAM_BLOCKED]
        | (health[Health.REFRESH_FAILING] & Q(refresh_failing_since__lte=now - REFRESH_FAILING_ALERT_AFTER))
    )


def connections_for_tenant_by_health(
    *, tenant: TenantRef, health: str | None = None, now: datetime | None = None
) -> QuerySet[PinterestConnection]:
    """``connections_for_tenant``, only those of ``health`` when it is given."""
    connections = connections_for_tenant(tenant=tenant)
    if health is None:
        return connections
    return connections.filter(connection_health_filter(health=health, now=now or timezone.now()))


def connections_health_dashboard(*, tenant_id: int | None, now: datetime, size: int = 20) -> dict:
    """Connections by health, and the first ``size`` that need a person (of one tenant, or all)."""
    connections = PinterestConnection.objects.all()
    if tenant_id is not None:
        connections = connections.filter(tenant_id=tenant_id)
    counts = connections.aggregate(
        **{value: Count("pk", filter=q) for value, q in connection_health_filters(now=now).items()}
    )
    needing = list(
        connections.filter(connections_needing_a_person_filter(now=now))
        .select_related("tenant")
        .order_by("username", "id")[:size]
    )
    return {"counts": counts, "needing_a_person": needing}
