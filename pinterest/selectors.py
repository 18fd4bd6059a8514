"""Reads of the pinterest app: every query a view, the admin, a command or a job makes."""

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from pinterest.models import Board, PinterestConnection


def connections_for_tenant(*, tenant) -> QuerySet[PinterestConnection]:
    return PinterestConnection.objects.filter(tenant=tenant).annotate(
        board_count=Count("boards", filter=Q(boards__is_archived=False))
    ).order_by("username", "id")


def boards_for_tenant(
    *, tenant, connection_id: int | None = None, is_archived: bool | None = None
) -> QuerySet[Board]:
    boards = Board.objects.filter(connection__tenant=tenant)
    if connection_id is not None:
        boards = boards.filter(connection_id=connection_id)
    if is_archived is not None:
        boards = boards.filter(is_archived=is_archived)
    return boards.order_by("name", "id")


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
