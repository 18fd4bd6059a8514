"""Reads of feeds: a tenant's, a project's, the ones due, and a project's feed health."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from feeds.models import Feed, FeedHealth
from publishing.models import Tenant


def feeds_for_tenant(*, tenant: Tenant, project_id: int | None = None) -> QuerySet[Feed]:
    feeds = Feed.objects.filter(project__tenant=tenant).select_related("project")
    return feeds.filter(project_id=project_id) if project_id is not None else feeds


def feeds_due(*, now: datetime) -> QuerySet[Feed]:
    """Active feeds whose poll time has come, the longest waiting first."""
    return Feed.objects.filter(is_active=True, next_poll_at__lte=now).order_by("next_poll_at", "id")


@dataclass(frozen=True)
class ProjectFeedHealth:
    """One line for a project: how many feeds, how many failing, and the first failure's reason."""

    feeds: int
    failing: int
    last_ok_at: datetime | None
    problem: str

    @property
    def status(self) -> str:
        if not self.feeds:
            return "none"
        return FeedHealth.FAILING if self.failing else FeedHealth.OK

    def line(self) -> str:
        if not self.feeds:
            return "No feeds."
        if self.failing:
            return f"{self.failing} of {self.feeds} feed(s) failing: {self.problem}"
        return f"{self.feeds} feed(s) OK."


def project_feed_health(*, project_id: int) -> ProjectFeedHealth:
    feeds = list(Feed.objects.filter(project_id=project_id, is_active=True).order_by("id"))
    failing = [feed for feed in feeds if feed.consecutive_failures]
    oks = [feed.last_ok_at for feed in feeds if feed.last_ok_at]
    return ProjectFeedHealth(
        feeds=len(feeds), failing=len(failing), last_ok_at=max(oks) if oks else None,
        problem=f"{failing[0].url}: {failing[0].last_error}" if failing else "",
    )
