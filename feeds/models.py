"""A project's feeds: where new articles come from, and how polling them is going.

A feed is polled every ``FEEDS_POLL_MINUTES`` while it answers; each failure in a row doubles the
wait (``next_poll_at``), up to ``FEEDS_BACKOFF_MAX_MINUTES``, and ``last_error`` says why, on the
project's page and in the API. ``etag`` and ``last_modified`` are the last answer's, sent back
as a conditional request. ``seen`` remembers a fingerprint per entry, so an entry that did not
change costs nothing, and one that did updates its article (``publishing``'s service).
"""

from django.db import models
from django.utils import timezone

from pinterest.limits import LINK_MAX


class FeedKind(models.TextChoices):
    AUTO = "auto", "Detect from the content"
    RSS = "rss", "RSS"
    ATOM = "atom", "Atom"
    JSON = "json", "JSON Feed"
    SITEMAP = "sitemap", "Sitemap"


class FeedHealth(models.TextChoices):
    PENDING = "pending", "Not polled yet"
    OK = "ok", "OK"
    FAILING = "failing", "Failing"
    PAUSED = "paused", "Paused"


class Feed(models.Model):
    project = models.ForeignKey("publishing.BlogProject", on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(max_length=LINK_MAX)
    #: As given, or ``auto``: the kind found is stored in ``detected_kind`` at each poll.
    kind = models.CharField(max_length=10, choices=FeedKind.choices, default=FeedKind.AUTO)
    detected_kind = models.CharField(max_length=10, choices=FeedKind.choices, blank=True)
    is_active = models.BooleanField(default=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    #: Entry key (GUID, else URL) -> fingerprint of what the article was made from.
    seen = models.JSONField(default=dict, blank=True)
    articles_created = models.PositiveIntegerField(default=0)
    articles_updated = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "url"], name="uniq_feed_url_per_project")]
        indexes = [models.Index(fields=["is_active", "next_poll_at"], name="feed_due")]

    def __str__(self) -> str:
        return self.url

    def get_health_display(self) -> str:
        return str(FeedHealth(self.health).label)

    @property
    def health(self) -> str:
        if not self.is_active:
            return FeedHealth.PAUSED
        if self.consecutive_failures:
            return FeedHealth.FAILING
        return FeedHealth.OK if self.last_ok_at else FeedHealth.PENDING
