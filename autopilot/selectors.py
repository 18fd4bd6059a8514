"""The reads of the autopilot app: a project's rule, the boards it may pin to, runs to sweep."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet

from autopilot.conf import autopilot_settings
from autopilot.models import AutopilotMode, AutopilotRule, AutopilotRun, RunState
from pinterest.models import Board
from publishing.models import ArticleSource, BlogArticle, BlogProject, Pin, PinStatus


def project_autopilot_rule(*, project: BlogProject) -> AutopilotRule:
    """The project's rule, or an unsaved one with the defaults (off)."""
    try:
        return AutopilotRule.objects.get(project=project)
    except AutopilotRule.DoesNotExist:
        return AutopilotRule(project=project)


def project_boards(*, project: BlogProject) -> QuerySet[Board]:
    """The boards the project's pins may go to: its account's, not archived, by name."""
    if project.pinterest_connection_id is None:
        return Board.objects.none()
    return Board.objects.filter(connection_id=project.pinterest_connection_id, is_archived=False).order_by("name", "id")


def runs_due(*, now: datetime) -> QuerySet[AutopilotRun]:
    """Runs a worker should take: pending ones whose task should have run by now (a lost task),
    and running ones whose worker's lease ran out (a crash)."""
    waited = now - timedelta(seconds=float(autopilot_settings.AUTOPILOT_SWEEP_AFTER_SECONDS))
    return AutopilotRun.objects.filter(
        Q(state=RunState.PENDING, created_at__lte=waited, lease_until__isnull=True)
        | Q(state=RunState.PENDING, lease_until__lte=now)
        | Q(state=RunState.RUNNING, lease_until__lte=now)
    ).order_by("id")


def articles_without_run(*, since: datetime) -> QuerySet[BlogArticle]:
    """Feed articles created since ``since`` in projects whose autopilot is on, after it was
    turned on, that have no run (the run is opened with the article; this is the safety net)."""
    return BlogArticle.objects.filter(
        source=ArticleSource.FEED, created_at__gte=since, autopilot_run__isnull=True,
        project__autopilot_rule__active_since__isnull=False,
    ).filter(created_at__gte=F("project__autopilot_rule__active_since")).exclude(project__autopilot_rule__mode=AutopilotMode.OFF).order_by("id")


def project_autopilot_summary(*, project: BlogProject) -> dict[str, int]:
    """What autopilot has done for the project: runs (and those done), designed pins made, published."""
    runs = AutopilotRun.objects.filter(article__project=project).aggregate(
        total=Count("id"), done=Count("id", filter=Q(state=RunState.DONE)))
    pins = Pin.objects.filter(project=project, design__isnull=False, article__autopilot_run__isnull=False)
    return {"runs": runs["total"], "runs_done": runs["done"], "pins": pins.count(),
            "published": pins.filter(status=PinStatus.PUBLISHED).count()}
