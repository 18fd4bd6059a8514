"""A connection's analytics sync against the Pinterest stand-in: incremental, revised days
updated, 429s waited or deferred, gone pins marked, a rejected token marked, accounts apart."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from analytics.models import AccountDailyMetrics, ConnectionAnalyticsState, PinAnalyticsState, PinDailyMetrics
from analytics.queue import resume_name
from analytics.tasks import sync_connection_analytics
from pinterest.models import PinterestConnection
from tests.analytics.helpers import TODAY, analytics_calls, published_account, sync

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _standin_today(standin):
    standin.set_analytics_today(TODAY)


def rows(pin):
    return {row.date: row for row in PinDailyMetrics.objects.filter(pin=pin)}


def test_a_first_sync_stores_every_day_since_publication_and_the_accounts_totals(standin):
    account = published_account(standin, pins=[("image", "2026-11-20T19:00:00+00:00"),
                                               ("video", "2026-11-25T08:00:00+00:00")])

    report = sync(account.connection)

    image, video = account.pins
    assert report.pins_synced == 2 and report.calls == 3 and not report.error
    assert min(rows(image)) == date(2026, 11, 20) and max(rows(image)) == TODAY - timedelta(days=1)
    assert len(rows(video)) == 11
    assert all(row.video_views is None for row in rows(image).values())
    assert all(row.video_views > 0 and row.video_avg_watch_time_ms for row in rows(video).values())
    day = rows(image)[date(2026, 11, 21)]
    assert (day.project_id, day.board_id, day.kind) == (image.project_id, image.board_id, "image")
    assert day.impressions > day.pin_clicks > 0 and day.saves > 0 and day.outbound_clicks > 0
    # The account's totals: Pinterest's 90 days, through yesterday.
    totals = AccountDailyMetrics.objects.filter(connection=account.connection)
    assert totals.count() == 90 and totals.get(date=date(2026, 11, 26)).impressions > 0
    assert PinAnalyticsState.objects.get(pin=image).final_through == TODAY - timedelta(days=4)


def test_final_days_are_not_fetched_again_and_revised_days_are_updated(standin):
    account = published_account(standin)
    (pin,) = account.pins
    sync(account.connection)
    before = rows(pin)

    standin.set_analytics_today(TODAY + timedelta(days=1))
    sync(account.connection, today=TODAY + timedelta(days=1))

    first, second = analytics_calls(standin)
    assert (first["start_date"], first["end_date"]) == ("2026-11-20", "2026-12-05")
    # Only the revised days (the last three) and the new one.
    assert (second["start_date"], second["end_date"]) == ("2026-12-03", "2026-12-06")
    after = rows(pin)
    assert after[date(2026, 12, 5)].impressions > before[date(2026, 12, 5)].impressions
    assert after[date(2026, 12, 5)].data_status == "ESTIMATE" and after[date(2026, 12, 3)].data_status == "READY"
    assert after[date(2026, 11, 25)].updated_at == before[date(2026, 11, 25)].updated_at
    assert PinAnalyticsState.objects.get(pin=pin).final_through == date(2026, 12, 3)


def test_days_n_fetches_final_days_again(standin):
    account = published_account(standin)
    sync(account.connection)

    sync(account.connection, days=10)

    assert analytics_calls(standin)[-1]["start_date"] == "2026-11-26"


def test_history_older_than_pinterests_90_days_is_kept_and_never_asked_for(standin):
    account = published_account(standin, pins=[("image", "2026-08-01T12:00:00+00:00")])
    (pin,) = account.pins
    PinDailyMetrics.objects.create(pin=pin, project=pin.project, board=pin.board, kind="image",
                                   date=date(2026, 8, 2), impressions=7)

    sync(account.connection)

    (call,) = analytics_calls(standin)
    assert call["start_date"] == (TODAY - timedelta(days=90)).isoformat()
    assert rows(pin)[date(2026, 8, 2)].impressions == 7


def test_a_short_429_is_waited_out_as_retry_after_says(standin):
    account = published_account(standin)
    standin.fail_next("429", endpoint="pin_analytics", retry_after=2)
    sleeps = []

    report = sync(account.connection, sleeps=sleeps)

    assert sleeps == [2.0] and report.pins_synced == 1 and report.calls == 3


def test_a_long_429_stops_the_sync_until_pinterest_allows_and_schedules_the_resume(standin):
    account = published_account(standin)
    standin.fail_next("429", endpoint="pin_analytics", retry_after=600)

    summary = sync_connection_analytics(account.connection.pk)

    state = ConnectionAnalyticsState.objects.get(connection=account.connection)
    assert "resumes at" in summary
    assert timedelta(seconds=590) < state.resume_at - timezone.now() <= timedelta(seconds=600)
    resume = Schedule.objects.get(name=resume_name(account.connection.pk))
    assert resume.func == "analytics.tasks.sync_connection_analytics" and resume.next_run == state.resume_at
    # Asked again before then: nothing is sent.
    calls = len(standin.calls)
    assert sync(account.connection).resume_at == state.resume_at
    assert len(standin.calls) == calls
    # Once the time has come it goes on where it stopped.
    ConnectionAnalyticsState.objects.update(resume_at=timezone.now() - timedelta(seconds=1))
    assert sync(account.connection).pins_synced == 1


def test_a_pin_pinterest_no_longer_has_is_marked_gone_and_never_asked_for_again(standin):
    account = published_account(standin, pins=[("image", "2026-11-20T19:00:00+00:00"),
                                               ("image", "2026-11-21T19:00:00+00:00")])
    gone, kept = account.pins
    standin.remove_pin(gone.pinterest_pin_id)

    report = sync(account.connection)
    sync(account.connection, today=TODAY + timedelta(days=1))

    assert report.pins_gone == 1 and report.pins_synced == 1
    assert PinAnalyticsState.objects.get(pin=gone).gone_at is not None
    asked = [call["start_date"] for call in analytics_calls(standin)]
    assert len(asked) == 3  # the gone pin once, the other twice
    assert rows(kept) and not rows(gone)


def test_a_rejected_token_marks_the_connection_inactive_as_the_publisher_does(standin):
    account = published_account(standin)
    standin.fail_next("401", endpoint="user_account_analytics")

    report = sync(account.connection)

    connection = PinterestConnection.objects.get(pk=account.connection.pk)
    assert not connection.is_active and connection.last_error
    assert report.stopped and "inactive" in report.error
    assert not analytics_calls(standin)


def test_one_accounts_trouble_never_stops_the_others(standin, capsys):
    rejected = published_account(standin)
    limited = published_account(standin)
    fine = published_account(standin)
    standin.fail_next("401", endpoint="user_account_analytics")
    standin.fail_next("429", endpoint="user_account_analytics", retry_after=3600)

    call_command("sync_analytics")

    assert not PinterestConnection.objects.get(pk=rejected.connection.pk).is_active
    assert ConnectionAnalyticsState.objects.get(connection=limited.connection).resume_at is not None
    assert rows(fine.pins[0]) and not rows(limited.pins[0])
    assert "3 connection(s) synced." in capsys.readouterr().out


def test_pinterest_failing_stops_the_connection_and_retries_later(standin, settings):
    settings.ANALYTICS_RETRY_SECONDS = 120
    account = published_account(standin)
    standin.fail_next("503", endpoint="pin_analytics")

    report = sync(account.connection)

    assert report.stopped and report.resume_at - timezone.now() <= timedelta(seconds=120)


def test_a_resumed_sync_goes_on_with_what_it_had_not_fetched_that_day(standin):
    account = published_account(standin, pins=[("image", "2026-11-20T19:00:00+00:00"),
                                               ("image", "2026-11-21T19:00:00+00:00")])
    standin.set_rate_limit(2, 3600, category="org_analytics")  # the account's totals and one pin

    stopped = sync(account.connection)
    standin.set_rate_limit(None)
    ConnectionAnalyticsState.objects.update(resume_at=timezone.now() - timedelta(seconds=1))
    resumed = sync(account.connection)

    assert stopped.stopped and stopped.pins_synced == 1 and stopped.resume_at > timezone.now()
    assert resumed.pins_synced == 1 and resumed.calls == 1
    assert all(rows(pin) for pin in account.pins)
