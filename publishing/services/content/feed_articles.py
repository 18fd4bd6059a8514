"""Articles from a project's feeds: created once, updated when their entry changes, never duplicated.

Publishing owns articles; the feeds app hands each new or changed entry here
(``article_upsert_from_feed``). An entry is the article already in the project with the same
GUID, or whose canonical URL (or link) is the entry's canonical URL; such an article is updated
in place, including one first added by hand. Writes for one project are serialized on the
project's row, so two feeds of one blog (its RSS and its sitemap) polled at once cannot both
create the same article. A created article is told to other apps (``signals.article_from_feed``,
inside the transaction that creates it: autopilot opens its run there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import record as audit_trail
from publishing import signals
from publishing.models import TITLE_MAX_LENGTH, ArticleSource, BlogArticle, BlogProject
from publishing.rules import check_article_url


@dataclass(frozen=True)
class FeedArticle:
    """What a feed entry and its page say of an article."""

    url: str
    canonical_url: str
    guid: str = ""
    title: str = ""
    description: str = ""
    published_at: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    image_candidates: list[dict[str, Any]] = field(default_factory=list)


def _fields(entry: FeedArticle) -> dict[str, Any]:
    return {
        "url": entry.canonical_url or entry.url, "canonical_url": entry.canonical_url, "guid": entry.guid,
        "title": entry.title[:TITLE_MAX_LENGTH], "description": entry.description,
        "published_at": entry.published_at, "metadata": entry.metadata,
        "image_candidates": entry.image_candidates,
    }


def article_upsert_from_feed(*, project_id: int, entry: FeedArticle) -> tuple[BlogArticle, str]:
    """Create or update the project's article for ``entry``: returns it and ``"created"``,
    ``"updated"`` or ``"unchanged"``. Raises ValidationError (``url``) for a link no pin could use."""
    errors: dict[str, list[str]] = {}
    check_article_url(entry.canonical_url or entry.url, errors)
    if errors:
        raise ValidationError(errors)
    values = _fields(entry)
    with transaction.atomic():
        BlogProject.objects.select_for_update().filter(pk=project_id).first()
        match = Q(canonical_url=values["url"]) | Q(url=values["url"]) | Q(url=entry.url)
        if entry.guid:
            match |= Q(guid=entry.guid)
        candidates = list(BlogArticle.objects.filter(match, project_id=project_id).order_by("id")[:5])
        # The GUID decides first: a post whose address changed keeps its article.
        article = next((a for a in candidates if entry.guid and a.guid == entry.guid), None) or (
            candidates[0] if candidates else None
        )
        if article is None:
            created = BlogArticle.objects.create(
                project_id=project_id, source=ArticleSource.FEED, synced_at=timezone.now(), **values,
            )
            audit_trail.record("article.create", created)
            signals.article_from_feed.send(sender=BlogArticle, article_id=created.pk, project_id=project_id)
            return created, "created"
        if article.source == ArticleSource.MANUAL and article.title and not entry.title:
            values["title"] = article.title  # a title given by hand is kept when the feed has none
        changed = [name for name, value in values.items() if getattr(article, name) != value]
        if not changed:
            return article, "unchanged"
        before = audit_trail.snapshot(article)
        for name in changed:
            setattr(article, name, values[name])
        article.synced_at = timezone.now()
        article.save(update_fields=[*changed, "synced_at"])
        audit_trail.record("article.update", article, before=before)
        return article, "updated"
