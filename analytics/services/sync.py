"""One connection's sync: its account's daily totals, then each of its published pins' days.

Incremental (``analytics.services.windows``): a pin's final days are never asked for again, the
last revised days are, and one call per pin and day at most. Pinterest's errors are judged once,
by ``pinterest.services.verdicts``:

- ``WAIT`` (429, ``org_analytics``): waited out here when Pinterest asks for at most
  ``ANALYTICS_MAX_WAIT_SECONDS`` (then the same call again); a longer wait stops this
  connection's sync with ``resume_at`` set, so no worker is held: the task that ran it schedules
  the resume (``analytics.queue``), and a sync asked for before then does nothing. The resumed
  sync goes on with what was not fetched that day (``synced_on``), never starting over.
- ``SPAM_COOL_DOWN``: as a long wait (the account is left alone; publishing is not touched).
- ``RECONNECT`` (401): the connection is marked inactive as the publisher does
  (``connection_mark_inactive``); a person reconnects it.
- ``GIVE_UP`` on a pin: a 404 marks the pin gone (its rows stay, it is never asked for again);
  a 400 or 403 is recorded on the pin, and the others go on.
- ``UNREACHABLE``, ``UNKNOWN``: reads are safe to send again: the sync stops and resumes after
  ``ANALYTICS_RETRY_SECONDS``.

One account's trouble never stops the others: every outcome is this connection's only; the
daily job runs one task per connection. No transaction is held across a call to Pinterest.

One sync of a connection at a time (``analytics.services.lease``): the sync takes the
connection's lease first; when another sync holds it, this one does nothing and says "already
syncing" (``skipped``). The lease is renewed between pins and released at the end.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from django.utils import timezone

from analytics.conf import analytics_settings
from analytics.selectors import PinToSync, pins_to_sync
from analytics.services import store
from analytics.services.lease import SyncLease, already_syncing_message, sync_lease_take
from analytics.services.windows import Window, fetch_window, final_through
from pinterest.client import PIN_METRICS, VIDEO_METRICS, DayMetrics, PinterestClient
from pinterest.errors import ConnectionUnusable, PinterestError, PinterestNotFound
from pinterest.models import PinterestConnection
from pinterest.services.tokens import connection_client, connection_mark_inactive
from pinterest.services.verdicts import Kind, verdict_for

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class SyncReport:
    """What one connection's sync did. ``resume_at``: it stopped early and resumes then (a long
    429, or Pinterest failing); ``error``: why it stopped or what went wrong on the way."""

    connection_id: int
    calls: int = 0
    pins_synced: int = 0
    pins_gone: int = 0
    pins_failed: int = 0
    days_stored: int = 0
    resume_at: datetime | None = None
    stopped: bool = False
    #: Another sync of the connection was running: this one did nothing.
    skipped: bool = False
    error: str = ""
    skipped_pins: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"connection {self.connection_id}: {self.pins_synced} pins synced, {self.days_stored} days stored, "
            f"{self.calls} calls, {self.pins_gone} gone, {self.pins_failed} failed"
        )
        if self.resume_at:
            text += f"; resumes at {self.resume_at:%Y-%m-%d %H:%M:%S} UTC"
        return text + (f"; {self.error}" if self.error else "")


class _Stop(Exception):
    """The connection's sync stops here (a long wait, a rejected token, Pinterest failing)."""


class _Lost(Exception):
    """Another sync holds the connection's lease now: this one stops without a word on the state."""


@dataclass
class _Run:
    connection_id: int
    client: PinterestClient
    report: SyncReport
    today: date
    sleep: Callable[[float], None]
    lease: SyncLease

    def keep_lease(self) -> None:
        """Renew the connection's sync lease (when half of it has passed); ``_Lost`` if it was lost."""
        if not self.lease.keep():
            self.report.error = "Another sync took this connection over (its lease expired); it goes on."
            raise _Lost

    def call(self, fetch: Callable[[], T]) -> T:
        """``fetch()``, a short 429 waited out and tried again; other errors raised to the caller,
        or ``_Stop`` for what ends the connection's sync."""
        while True:
            self.report.calls += 1
            try:
                return fetch()
            except PinterestNotFound:
                raise
            except PinterestError as exc:
                verdict = verdict_for(exc, backoff=float(analytics_settings.ANALYTICS_RATE_LIMIT_BACKOFF_SECONDS))
                if verdict.kind == Kind.WAIT and verdict.wait <= float(analytics_settings.ANALYTICS_MAX_WAIT_SECONDS):
                    self.sleep(verdict.wait)
                    continue
                if verdict.kind == Kind.GIVE_UP:
                    raise
                self.stop(verdict.kind, verdict.wait, verdict.message)

    def stop(self, kind: Kind, wait: float, message: str) -> None:
        now = timezone.now()
        if kind == Kind.RECONNECT:
            connection_mark_inactive(connection_id=self.connection_id, error=message)
            self.report.error = f"Pinterest rejected the token; the connection is inactive: {message}"
        else:
            if kind == Kind.SPAM_COOL_DOWN:
                wait = float(analytics_settings.ANALYTICS_RETRY_SECONDS) * 4
            elif kind != Kind.WAIT:
                wait = float(analytics_settings.ANALYTICS_RETRY_SECONDS)
            self.report.resume_at = now + timedelta(seconds=wait)
            self.report.error = message
        raise _Stop


def connection_sync_analytics(
    *,
    connection_id: int,
    today: date | None = None,
    days: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: datetime | None = None,
) -> SyncReport:
    """Sync one connection's analytics; see the module docstring. ``days``: ask for the last N
    days again even if final (``manage.py sync_analytics --days N``). Never raises for Pinterest's
    errors: the report says what happened."""
    now = now or timezone.now()
    today = today or now.date()
    report = SyncReport(connection_id)
    state = store.connection_state(connection_id=connection_id)
    if state.resume_at and state.resume_at > now:
        report.resume_at, report.error = state.resume_at, "Pinterest asked to wait; the sync resumes then."
        return report
    lease = sync_lease_take(connection_id=connection_id)
    if lease is None:
        report.skipped, report.error = True, already_syncing_message(connection_id)
        return report
    try:
        return _sync_held(lease, report, today=today, days=days, sleep=sleep, now=now)
    finally:
        lease.release()


def _sync_held(
    lease: SyncLease, report: SyncReport, *, today: date, days: int | None, sleep: Callable[[float], None],
    now: datetime,
) -> SyncReport:
    """The sync, under the connection's lease (the state read again: a sync may have ended meanwhile)."""
    connection_id = lease.connection_id
    state = store.connection_state(connection_id=connection_id)
    connection = PinterestConnection.objects.get(pk=connection_id)
    try:
        client = connection_client(connection=connection)
    except ConnectionUnusable as exc:
        report.error = str(exc)
        store.connection_state_save(connection_id=connection_id, now=now, error=report.error)
        return report
    run = _Run(connection_id, client, report, today, sleep, lease)
    try:
        if days is not None or state.synced_on != today:
            _sync_account(run, state.final_through, days)
        for pin in pins_to_sync(connection_id=connection_id):
            run.keep_lease()
            _sync_pin(run, pin, days)
    except _Lost:
        logger.warning("Analytics sync of connection %s stopped: %s", connection_id, report.error)
        return report
    except _Stop:
        report.stopped = True
        store.connection_state_save(
            connection_id=connection_id, now=timezone.now(), resume_at=report.resume_at, error=report.error
        )
        logger.warning("Analytics sync of connection %s stopped: %s", connection_id, report.error)
        return report
    store.connection_state_save(connection_id=connection_id, now=timezone.now(), synced=True, error=report.error)
    logger.info("Analytics %s", report.summary())
    return report


def _revised_days() -> int:
    return int(analytics_settings.ANALYTICS_REVISED_DAYS)


def _sync_account(run: _Run, previous: date | None, days: int | None) -> None:
    """The account's totals, recorded at once (a sync resumed today does not ask again)."""
    window = fetch_window(today=run.today, final_through=previous, days=days)
    if window.empty:
        return
    try:
        answered = run.call(
            lambda: run.client.get_user_account_analytics(start_date=window.start, end_date=window.end)
        )
    except PinterestError as exc:  # GIVE_UP (400, 403, 404): the pins go on
        run.report.error = f"Account totals: {exc.user_message}"
        return
    now = timezone.now()
    run.report.days_stored += store.account_days_store(connection_id=run.connection_id, days=answered, now=now)
    store.connection_state_save(
        connection_id=run.connection_id, now=now, final_through=_final(window, answered, previous, run.today),
        synced_on=run.today,
    )


def _final(window: Window, answered: list[DayMetrics], previous: date | None, today: date) -> date | None:
    return final_through(
        window=window, answered=answered, previous=previous, revised_days=_revised_days(), today=today
    )


def _sync_pin(run: _Run, pin: PinToSync, days: int | None) -> None:
    if days is None and pin.synced_on == run.today:
        return  # fetched already today (this sync resumes after a wait)
    published = pin.published_at.astimezone(UTC).date() if pin.published_at else None
    window = fetch_window(today=run.today, final_through=pin.final_through, first_day=published, days=days)
    if window.empty:
        return
    metrics = PIN_METRICS + VIDEO_METRICS if pin.kind == "video" else PIN_METRICS
    now = timezone.now()
    try:
        answered = run.call(
            lambda: run.client.get_pin_analytics(
                pin.pinterest_pin_id, start_date=window.start, end_date=window.end, metric_types=metrics
            )
        )
    except PinterestNotFound as exc:
        store.pin_state_save(pin_id=pin.id, now=now, synced_on=run.today, final_through=pin.final_through,
                             gone=True, error=exc.user_message)
        run.report.pins_gone += 1
        return
    except PinterestError as exc:  # GIVE_UP: recorded on the pin, the others go on
        store.pin_state_save(
            pin_id=pin.id, now=now, synced_on=run.today, final_through=pin.final_through, error=exc.user_message
        )
        run.report.pins_failed += 1
        return
    run.report.days_stored += store.pin_days_store(pin=pin, days=answered, now=now)
    store.pin_state_save(
        pin_id=pin.id, now=now, synced_on=run.today,
        final_through=_final(window, answered, pin.final_through, run.today),
    )
    run.report.pins_synced += 1
