"""A project's feeds: add, change, remove. Every way in (API, command) goes through these rules."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit import record as audit_trail
from feeds.conf import feeds_settings
from feeds.fetcher import feed_url_problem
from feeds.models import Feed, FeedKind
from publishing.models import BlogProject, Tenant

FIELDS = ("url", "kind", "is_active")
#: What the audit trail keeps of a feed (not its polling state: what it saw, its conditional GET).
AUDITED = ("project", *FIELDS)


def _check(data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    if "url" in data:
        problem = feed_url_problem(str(data["url"]))
        if problem:
            errors.setdefault("url", []).append(problem)
    if "kind" in data and data["kind"] not in FeedKind.values:
        errors.setdefault("kind", []).append(f"Must be one of {', '.join(FeedKind.values)}.")


def feed_create(*, tenant: Tenant, project_id: int, url: str, kind: str = FeedKind.AUTO,
                is_active: bool = True) -> Feed:
    """Add a feed to the tenant's project; it is polled at once. Raises ValidationError by field."""
    errors: dict[str, list[str]] = {}
    project = BlogProject.objects.filter(tenant=tenant, pk=project_id).first()
    if project is None:
        errors.setdefault("project", []).append(f"Project {project_id} not found.")
    _check({"url": url, "kind": kind}, errors)
    if project is not None and Feed.objects.filter(project=project).count() >= feeds_settings.FEEDS_MAX_PER_PROJECT:
        errors.setdefault("project", []).append(
            f"A project has at most {feeds_settings.FEEDS_MAX_PER_PROJECT} feeds.")
    if errors or project is None:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            feed = Feed.objects.create(project=project, url=url, kind=kind, is_active=is_active,
                                       next_poll_at=timezone.now())
            audit_trail.record("feed.create", feed, after=audit_trail.snapshot(feed, AUDITED))
            return feed
    except IntegrityError:
        raise ValidationError({"url": ["The project already has this feed."]}) from None


def feed_update(*, feed: Feed, data: dict[str, Any]) -> Feed:
    """Change ``url``, ``kind`` and/or ``is_active``. A new address, or turning a feed back on,
    forgets its failures and its conditional-request state, and polls it at once."""
    errors: dict[str, list[str]] = {}
    _check(data, errors)
    if errors:
        raise ValidationError(errors)
    before = audit_trail.snapshot(feed, AUDITED)
    fresh = ("url" in data and data["url"] != feed.url) or ("kind" in data and data["kind"] != feed.kind) or (
        data.get("is_active") and not feed.is_active)
    for name in FIELDS:
        if name in data:
            setattr(feed, name, data[name])
    if fresh:
        feed.etag, feed.last_modified, feed.consecutive_failures, feed.last_error = "", "", 0, ""
        feed.next_poll_at = timezone.now()
    try:
        with transaction.atomic():
            feed.save()
            audit_trail.record("feed.update", feed, before=before, after=audit_trail.snapshot(feed, AUDITED))
    except IntegrityError:
        raise ValidationError({"url": ["The project already has this feed."]}) from None
    return feed


def feed_delete(*, feed: Feed) -> None:
    """Remove a feed; the articles it brought stay (pins may link to them)."""
    with transaction.atomic():
        before, feed_id = audit_trail.snapshot(feed, AUDITED), feed.pk
        feed.delete()
        audit_trail.record("feed.delete", feed, before=before, after=None, object_id=feed_id)
