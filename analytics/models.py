"""Pinterest's daily metrics, one row per pin per day and one per account per day, and where
each pin's and each account's sync stands.

A day's row is written by ``analytics.services.sync`` (upserted in bulk on ``(pin, date)``) and
never deleted: history older than Pinterest's 90 days stays. The pin's project, board and kind
are copied onto its rows (they do not change once a pin is published) so a project's dashboard
reads one table through its indexes: a project's days, its boards' days, its pins over a range.

The dashboard does not read those rows over a range, though: two rollups kept exact by the code
that writes the rows (``analytics.services.rollup``, in the same transaction) answer it with a few
thousand rows instead of millions (issue 27's 200 ms over 10 million rows):

- ``ProjectDayRollup``: a project's sums per day, board and pin kind (totals, per day, per board,
  per kind are sums of its cells: at most days x boards x kinds rows for a range).
- ``PinWeekRollup``: a pin's sums per week (Monday to Sunday). Top pins over any ``from``/``to``
  are the full weeks inside the range from here plus at most six days at either edge from the
  daily rows: a 90-day range reads about 13 rows per pin instead of 90. Weeks rather than
  per-pin running totals (prefix sums) because a revised day then changes one bucket instead of
  every later day, and the rollup is a seventh of the daily rows instead of as many again.

Each rollup row counts the daily rows behind it (``rows``): a key whose rows all moved away (a
revised board or kind) sums to zero rows and is not shown, as the daily rows would not show it.
"""

from django.db import models


class PinDailyMetrics(models.Model):
    pin = models.ForeignKey("publishing.Pin", on_delete=models.CASCADE, related_name="daily_metrics")
    project = models.ForeignKey("publishing.BlogProject", on_delete=models.CASCADE, related_name="+")
    board = models.ForeignKey("pinterest.Board", on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10)
    date = models.DateField(help_text="The day (UTC), as Pinterest counts it.")
    impressions = models.PositiveBigIntegerField(default=0)
    saves = models.PositiveBigIntegerField(default=0)
    pin_clicks = models.PositiveBigIntegerField(default=0)
    outbound_clicks = models.PositiveBigIntegerField(default=0)
    # Video pins only (null for the others): views (MRC), starts, the average watch time in ms.
    video_views = models.PositiveBigIntegerField(null=True, blank=True)
    video_starts = models.PositiveBigIntegerField(null=True, blank=True)
    video_avg_watch_time_ms = models.FloatField(null=True, blank=True)
    #: Pinterest's data_status of the day when it was last fetched (READY once final).
    data_status = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pin", "date"], name="uniq_pin_day")]
        indexes = [
            # A project's totals per day, and its top pins over 30/90 days (grouped by pin).
            models.Index(fields=["project", "date"], name="pinday_project_date_idx"),
            # A project's days per board.
            models.Index(fields=["project", "board", "date"], name="pinday_project_board_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pin_id} {self.date}"


class ProjectDayRollup(models.Model):
    """A project's ``PinDailyMetrics`` summed per day, board and pin kind."""

    project = models.ForeignKey("publishing.BlogProject", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    #: The rows' board id, 0 for none. Not a foreign key: a key with NULL would never conflict in
    #: the upsert, and a board that no longer exists reads as "no board", as its rows do.
    board_key = models.BigIntegerField(default=0)
    kind = models.CharField(max_length=10)
    #: How many daily rows are summed here (a group at 0 is not shown).
    rows = models.BigIntegerField(default=0)
    impressions = models.BigIntegerField(default=0)
    saves = models.BigIntegerField(default=0)
    pin_clicks = models.BigIntegerField(default=0)
    outbound_clicks = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "date", "board_key", "kind"], name="uniq_rollup_project_day"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.date} {self.board_key} {self.kind}"


class PinWeekRollup(models.Model):
    """A pin's ``PinDailyMetrics`` summed per week (``week``: its Monday), under the rows' project
    and kind (copied from the pin, as on the daily rows)."""

    pin = models.ForeignKey("publishing.Pin", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey("publishing.BlogProject", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)
    week = models.DateField(help_text="The Monday of the week.")
    rows = models.BigIntegerField(default=0)
    impressions = models.BigIntegerField(default=0)
    saves = models.BigIntegerField(default=0)
    pin_clicks = models.BigIntegerField(default=0)
    outbound_clicks = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "week", "pin", "kind"], name="uniq_rollup_pin_week"),
        ]

    def __str__(self) -> str:
        return f"{self.pin_id} {self.week}"


class AccountDailyMetrics(models.Model):
    connection = models.ForeignKey(
        "pinterest.PinterestConnection", on_delete=models.CASCADE, related_name="daily_metrics"
    )
    date = models.DateField(help_text="The day (UTC), as Pinterest counts it.")
    impressions = models.PositiveBigIntegerField(default=0)
    saves = models.PositiveBigIntegerField(default=0)
    pin_clicks = models.PositiveBigIntegerField(default=0)
    outbound_clicks = models.PositiveBigIntegerField(default=0)
    engagement = models.PositiveBigIntegerField(default=0)
    data_status = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "date"], name="uniq_account_day")]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.date}"


class PinAnalyticsState(models.Model):
    """Where a published pin's sync stands."""

    pin = models.OneToOneField(
        "publishing.Pin", on_delete=models.CASCADE, primary_key=True, related_name="analytics_state"
    )
    #: Every day up to this one is stored and final: never fetched again.
    final_through = models.DateField(null=True, blank=True)
    #: Pinterest answered 404: the pin is gone there; never asked again (its rows stay).
    gone_at = models.DateTimeField(null=True, blank=True)
    #: The day (the sync's "today") the pin was last fetched: a sync resumed on that day (after a
    #: 429) goes on with the pins not fetched yet instead of starting over.
    synced_on = models.DateField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"analytics of {self.pin_id}"


class ConnectionAnalyticsState(models.Model):
    """Where an account's sync stands: its totals' final days, and when it may call again."""

    connection = models.OneToOneField(
        "pinterest.PinterestConnection", on_delete=models.CASCADE, primary_key=True, related_name="analytics_state"
    )
    final_through = models.DateField(null=True, blank=True)
    #: The day (the sync's "today") the account's totals were last fetched.
    synced_on = models.DateField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    #: Pinterest asked to wait (429) or failed: the sync resumes then, not before.
    resume_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    #: The lease of the sync running now (``analytics.services.lease``): one sync at a time.
    sync_started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"analytics of connection {self.connection_id}"
