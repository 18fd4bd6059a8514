"""The due-pin sweep: selection, recovery, rate limits, budget, the command and the schedules."""

import io
import json
from datetime import UTC, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from pinterest.models import PinterestConnection
from publishing.engine import MSG_INTERRUPTED, MSG_NOT_SENT, pins_publish_due
from publishing.models import Pin, PinStatus, PublishAttempt
from publishing.schedules import ON_TIME, REFRESH, RETRY_REFRESH, SWEEP, schedules_setup
from publishing.selectors import pins_due
from tests.factories import make_pin, make_project
from tests.publishing.helpers import create_calls, remote_copy, standin_account, standin_pins

pytestmark = pytest.mark.django_db

PAST = timedelta(minutes=5)


def due_pins(standin, count=1, **kwargs):
    return standin_pins(standin, count=count, scheduled_at=timezone.now() - PAST, **kwargs)


def stuck_after_sending(pin, claimed=None):
    """The pin was claimed and sent (an attempt row exists), then its publisher died."""
    claimed = claimed or timezone.now() - timedelta(seconds=700)
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHING, publishing_started_at=claimed, claimed_at=claimed)
    PublishAttempt.objects.create(pin=pin, trigger="sweep", started_at=claimed, outcome="pending")


def statuses(pins):
    return [Pin.objects.get(pk=p.pk).status for p in pins]


def test_only_due_pins_of_active_connections_are_selected(standin):
    now = timezone.now()
    connection, (board,) = standin_account(standin)
    project = make_project(tenant=connection.tenant, connection=connection)
    due = make_pin(project=project, board=board, scheduled_at=now - PAST)
    future = make_pin(project=project, board=board, scheduled_at=now + PAST)
    draft = make_pin(project=project, board=board, scheduled_at=now - PAST, status=PinStatus.DRAFT)
    published = make_pin(project=project, board=board, scheduled_at=now - PAST, status=PinStatus.PUBLISHED)
    unscheduled = make_pin(project=project, board=board, scheduled_at=None)
    inactive_conn, (inactive_board,) = standin_account(standin, is_active=False)
    inactive = make_pin(
        project=make_project(tenant=inactive_conn.tenant, connection=inactive_conn),
        board=inactive_board,
        scheduled_at=now - PAST,
    )
    assert list(pins_due(now=now)) == [due]
    report = pins_publish_due(now=now)
    assert (report["total"], report["published"]) == (1, 1)
    assert statuses([due, future, draft, published, unscheduled, inactive]) == [
        PinStatus.PUBLISHED,
        PinStatus.READY_TO_SCHEDULE,
        PinStatus.DRAFT,
        PinStatus.PUBLISHED,
        PinStatus.READY_TO_SCHEDULE,
        PinStatus.READY_TO_SCHEDULE,
    ]
    assert standin.created_count() == 1


def test_sweep_publishes_due_pins_of_several_connections_and_reports(standin):
    pins = due_pins(standin, count=3)
    connection, (board,) = standin_account(standin)
    pins += due_pins(standin, count=2, connection=connection, board=board)
    standin.fail_next_creates("403")
    report = pins_publish_due()
    assert (report["total"], report["published"], report["failed"]) == (5, 4, 1)
    failed = [d for d in report["details"] if not d["success"]]
    assert len(failed) == 1 and failed[0]["status"] == "error" and failed[0]["error"]
    assert all(p.attempts.get().trigger == "sweep" for p in Pin.objects.filter(status=PinStatus.PUBLISHED))


def test_rate_limit_past_retries_puts_that_connections_pins_back_and_others_finish(standin):
    limited = due_pins(standin, count=3)
    connection, (board,) = standin_account(standin)
    (other,) = due_pins(standin, count=1, connection=connection, board=board)
    # One create per token per minute, no Retry-After: the second pin of the first
    # connection meets 429 four times (1 + 3 retries, each waited out on the account's slot, not
    # in a thread), then the account stops for this run; the other connection is unaffected.
    standin.set_rate_limit(1, window_seconds=60, retry_after=None)
    report = pins_publish_due()
    assert sorted(statuses(limited)) == [PinStatus.PUBLISHED, PinStatus.READY_TO_SCHEDULE, PinStatus.READY_TO_SCHEDULE]
    assert statuses([other]) == [PinStatus.PUBLISHED]
    assert (report["published"], report["failed"], report["released"]) == (2, 0, 1)
    back = Pin.objects.filter(pk__in=[p.pk for p in limited], status=PinStatus.READY_TO_SCHEDULE)
    assert all(pin.error_message == "" and pin.publishing_started_at is None for pin in back)
    assert sorted(pin.attempts.count() for pin in back) == [0, 4]


def test_a_connection_whose_token_cannot_be_used_fails_its_pins_and_others_go_on(standin):
    broken = due_pins(standin, count=2)
    PinterestConnection.objects.filter(pk=broken[0].project.pinterest_connection_id).update(access_token="")
    fine = due_pins(standin, count=1)
    report = pins_publish_due()
    assert statuses(broken) == [PinStatus.ERROR, PinStatus.ERROR]
    assert "no access token" in Pin.objects.get(pk=broken[0].pk).error_message
    assert statuses(fine) == [PinStatus.PUBLISHED]
    assert (report["failed"], report["published"]) == (2, 1)


def test_recovery_publishes_a_stuck_pin_found_on_the_board(standin, settings):
    (pin,) = due_pins(standin)
    stuck_after_sending(pin)
    remote = remote_copy(standin, pin)
    report = pins_publish_due()
    pin = Pin.objects.get(pk=pin.pk)
    assert pin.status == PinStatus.PUBLISHED and pin.pinterest_pin_id == remote["id"]
    assert report["reconciled"] == 1
    assert create_calls(standin) == 0


def test_recovery_fails_a_stuck_pin_absent_from_the_board_without_posting(standin):
    (pin,) = due_pins(standin)
    stuck_after_sending(pin)
    pins_publish_due()
    pin = Pin.objects.get(pk=pin.pk)
    assert pin.status == PinStatus.ERROR and pin.error_message == MSG_INTERRUPTED
    assert create_calls(standin) == 0


def test_recovery_puts_a_claimed_pin_that_was_never_sent_back_on_the_schedule(standin):
    (pin,) = due_pins(standin)
    claimed = timezone.now() - timedelta(seconds=700)
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHING, publishing_started_at=claimed, claimed_at=claimed)
    report = pins_publish_due()
    # Back to ready, then published by the same run: exactly once.
    assert statuses([pin]) == [PinStatus.PUBLISHED]
    assert report["reconciled"] == 1 and standin.created_count() == 1


def test_recovery_of_an_unscheduled_pin_never_sent_says_so(standin):
    (pin,) = standin_pins(standin, scheduled_at=None)
    claimed = timezone.now() - timedelta(seconds=700)
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHING, publishing_started_at=claimed, claimed_at=claimed)
    pins_publish_due()
    pin = Pin.objects.get(pk=pin.pk)
    assert pin.status == PinStatus.ERROR and pin.error_message == MSG_NOT_SENT
    assert create_calls(standin) == 0


def test_a_second_recovery_still_looks_from_the_claim_not_from_the_takeover(standin, monkeypatch):
    """The first recovery's look fails; the second must still find a pin created at the claim."""
    (pin,) = due_pins(standin)
    claimed = timezone.now() - timedelta(hours=1)
    stuck_after_sending(pin, claimed=claimed)
    remote_copy(standin, pin)
    # The stand-in stamps created_at "now"; make the remote pin as old as the claim.
    for remote in standin.pins(pin.board.pinterest_board_id):
        remote["created_at"] = claimed.strftime("%Y-%m-%dT%H:%M:%S")  # no offset: Pinterest's own format
    standin.fail_next("503", endpoint="list_board_pins")
    pins_publish_due()
    assert statuses([pin]) == [PinStatus.PUBLISHING]  # the look failed: checked again later
    Pin.objects.filter(pk=pin.pk).update(publishing_started_at=timezone.now() - timedelta(seconds=700))
    pins_publish_due()
    assert statuses([pin]) == [PinStatus.PUBLISHED]
    assert create_calls(standin) == 0


def test_a_look_refused_for_good_ends_in_error_instead_of_looping(standin):
    (pin,) = due_pins(standin)
    stuck_after_sending(pin)
    standin.fail_next("404", endpoint="list_board_pins")
    pins_publish_due()
    pin = Pin.objects.get(pk=pin.pk)
    assert pin.status == PinStatus.ERROR and "could not be checked" in pin.error_message


def test_recovery_leaves_a_pin_inside_its_lease_alone(standin):
    (pin,) = due_pins(standin)
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHING, publishing_started_at=timezone.now())
    report = pins_publish_due()
    assert report["reconciled"] == 0 and statuses([pin]) == [PinStatus.PUBLISHING]


def test_one_run_claims_only_the_pins_whose_pacing_slots_fit_in_its_budget(standin, settings):
    # Slots an hour apart against a budget of seconds: which slot fits does not depend on how
    # fast the machine is (only that a call can start within the budget at all).
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 3600
    settings.PUBLISH_SWEEP_BUDGET_SECONDS = 3
    free_now = due_pins(standin, count=2)
    taken, (taken_board,) = standin_account(standin)
    later = due_pins(standin, count=1, connection=taken, board=taken_board)
    PinterestConnection.objects.filter(pk=taken.pk).update(next_publish_at=timezone.now() + timedelta(hours=1))
    report = pins_publish_due()
    # The free account's slot now fits; its next one (in an hour) and the other account's do not,
    # so those pins are not claimed: none is left publishing, and only one create was sent.
    assert report["published"] == 1
    assert sorted(statuses(free_now)) == [PinStatus.PUBLISHED, PinStatus.READY_TO_SCHEDULE]
    assert statuses(later) == [PinStatus.READY_TO_SCHEDULE]
    assert create_calls(standin) == 1


def test_limit_caps_one_run(standin):
    pins = due_pins(standin, count=4)
    assert pins_publish_due(limit=3)["published"] == 3
    assert statuses(pins).count(PinStatus.READY_TO_SCHEDULE) == 1


def test_publish_due_dry_run_lists_and_changes_nothing(standin):
    pins = due_pins(standin, count=2)
    out = io.StringIO()
    call_command("publish_due", "--dry-run", stdout=out)
    assert "2 due pins; dry run, nothing changed." in out.getvalue()
    assert statuses(pins) == [PinStatus.READY_TO_SCHEDULE] * 2
    out = io.StringIO()
    call_command("publish_due", "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"] == 2 and {p["pin_id"] for p in data["pins"]} == {str(p.pk) for p in pins}
    assert create_calls(standin) == 0


def test_publish_due_json_output_parses_and_reports_failures_without_failing(standin):
    due_pins(standin, count=2)
    standin.fail_next_creates("400")
    out = io.StringIO()
    call_command("publish_due", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["total"], data["published"], data["failed"]) == (2, 1, 1)


def test_publish_due_refuses_a_bad_limit():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--limit"):
        call_command("publish_due", "--limit", "0")


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_publish_due_refuses_a_limit_beyond_a_million_naming_it(dry_run):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=r"--limit must be 1\.\.1000000"):
        call_command("publish_due", *dry_run, "--limit", "9" * 30)


def test_schedule_setup_twice_gives_exactly_four_schedules(settings):
    settings.PUBLISH_SWEEP_MINUTES = 15
    schedules_setup()
    schedules_setup()
    assert Schedule.objects.count() == 4
    on_time = Schedule.objects.get(name=ON_TIME)
    assert (on_time.func, on_time.schedule_type, on_time.minutes) == ("publishing.tasks.publish_on_time",
                                                                      Schedule.MINUTES, 1)
    retry = Schedule.objects.get(name=RETRY_REFRESH)
    assert (retry.func, retry.schedule_type, retry.minutes) == (
        "pinterest.tasks.retry_failing_refreshes", Schedule.MINUTES, 15
    )
    sweep = Schedule.objects.get(name=SWEEP)
    assert (sweep.func, sweep.schedule_type, sweep.minutes, sweep.repeats) == (
        "publishing.tasks.publish_due", Schedule.MINUTES, 15, -1
    )
    refresh = Schedule.objects.get(name=REFRESH)
    assert (refresh.func, refresh.schedule_type) == ("pinterest.tasks.refresh_expiring_connections", Schedule.DAILY)
    next_run = refresh.next_run.astimezone(UTC)
    assert (next_run.hour, next_run.minute) == (2, 0)
    assert timezone.now() < refresh.next_run <= timezone.now() + timedelta(days=1)


def test_publish_due_enqueue_queues_one_sweep_for_the_worker(monkeypatch):
    queued = []
    monkeypatch.setattr("publishing.engine.queue.async_task", lambda *args, **kwargs: queued.append(args) or "t1")
    out = io.StringIO()
    call_command("publish_due", "--enqueue", stdout=out)
    assert queued == [("publishing.tasks.publish_due",)]
    assert "Queued a sweep" in out.getvalue()


def test_a_sweep_that_cannot_reach_pinterest_puts_the_pins_back_instead_of_failing_them(standin, settings):
    pins = due_pins(standin, count=3)
    settings.PINTEREST_API_BASE = "http://127.0.0.1:9/v5"  # nothing listens: connection refused
    report = pins_publish_due()
    assert statuses(pins) == [PinStatus.READY_TO_SCHEDULE] * 3
    assert (report["failed"], report["released"]) == (0, 1)  # the others were never claimed
    assert all(Pin.objects.get(pk=p.pk).error_message == "" for p in pins)
