"""What autopilot keeps: a project's rule (``AutopilotRule``) and one run per article (``AutopilotRun``).

The rule says what becomes of a new article from a feed: nothing (``off``), draft pins
(``drafts``), or pins queued across boards, spaced by ``interval_minutes`` (``queue``). Its JSON
fields are checked by ``autopilot.rules`` (``rule_problems``), the one parser every way in uses.

A run is the promise that an article's pins are made once: unique per article, claimed by a
conditional UPDATE (``autopilot.services.runs``), its pins committed with its ``done``.
"""

from __future__ import annotations

from django.db import models


class AutopilotMode(models.TextChoices):
    OFF = "off", "Off"
    DRAFTS = "drafts", "Draft pins only"
    QUEUE = "queue", "Queue the pins"


class BoardChoice(models.TextChoices):
    ALL = "all", "All the project's boards"
    LIST = "list", "These boards"
    KEYWORDS = "keywords", "Boards chosen by keywords in the article"


class AutopilotRule(models.Model):
    project = models.OneToOneField("publishing.BlogProject", on_delete=models.CASCADE, related_name="autopilot_rule")
    mode = models.CharField(max_length=10, choices=AutopilotMode.choices, default=AutopilotMode.OFF)
    #: Template names (``designs.render.TEMPLATES``), in turn; empty: every template.
    templates = models.JSONField(default=list, blank=True)
    pins_per_article = models.PositiveSmallIntegerField(default=2)
    board_choice = models.CharField(max_length=10, choices=BoardChoice.choices, default=BoardChoice.ALL)
    #: ``list``: these boards' ids, in turn.
    board_ids = models.JSONField(default=list, blank=True)
    #: ``keywords``: ``[{"keywords": ["soup", "stew"], "board_id": 3}, ...]``, first match first;
    #: ``board_ids`` (or, empty, every board) when no word matches.
    keyword_rules = models.JSONField(default=list, blank=True)
    #: The first pin's delay after the article is seen, and the time between two pins of it.
    start_after_minutes = models.PositiveIntegerField(default=60)
    interval_minutes = models.PositiveIntegerField(default=24 * 60)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    #: When autopilot was last turned on: articles older than this are never pinned by it (turning
    #: it on does not flood the boards with the blog's archive). None while off.
    active_since = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Autopilot of {self.project}: {self.get_mode_display()}"


class RunState(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Making pins"
    DONE = "done", "Pins made"
    FAILED = "failed", "Failed"


class AutopilotRun(models.Model):
    article = models.OneToOneField("publishing.BlogArticle", on_delete=models.CASCADE, related_name="autopilot_run")
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.PENDING)
    #: The claim's token: the worker that claimed attempt N commits only while it is still N.
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    pins_made = models.PositiveSmallIntegerField(default=0)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "lease_until"], name="autopilot_run_due")]

    def __str__(self) -> str:
        return f"Autopilot run of article {self.article_id}: {self.state}"
