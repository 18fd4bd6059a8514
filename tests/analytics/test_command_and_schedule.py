"""``manage.py sync_analytics`` and the daily schedule."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django_q.models import OrmQ, Schedule

from analytics.schedules import SYNC_SCHEDULE
from analytics.tasks import sync_all_analytics
from tests.analytics.helpers import TODAY, analytics_calls, published_account
from tests.factories import make_connection

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("args,message", [
    (["--days", "0"], "--days must be 1 to 90, not '0'."),
    (["--days", "91"], "--days must be 1 to 90, not '91'."),
    (["--days", "ten"], "--days must be 1 to 90, not 'ten'."),
    (["--connection", "x"], "--connection must be a positive whole number, not 'x'."),
    (["--connection", "999999"], "No Pinterest connection 999999."),
])
def test_bad_input_is_refused_with_one_readable_line(args, message):
    with pytest.raises(CommandError) as refused:
        call_command("sync_analytics", *args)

    assert str(refused.value) == message


def test_the_command_exits_non_zero_with_one_line_on_bad_input():
    done = subprocess.run(
        [sys.executable, "manage.py", "sync_analytics", "--days", "0"], cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=60, env={**os.environ, "DEBUG": "1"},
    )

    assert done.returncode == 1
    assert [line for line in done.stderr.splitlines() if "CommandError" in line] == [
        "CommandError: --days must be 1 to 90, not '0'."
    ]


def test_the_command_syncs_one_connection_and_says_what_it_did(standin):
    standin.set_analytics_today(TODAY)
    account = published_account(standin)
    other = published_account(standin)
    out = StringIO()

    call_command("sync_analytics", "--connection", str(account.connection.pk), stdout=out)

    assert f"connection {account.connection.pk}: 1 pins synced" in out.getvalue()
    assert "1 connection(s) synced." in out.getvalue()
    assert len(analytics_calls(standin)) == 1 and other.pins


def test_the_daily_job_queues_one_task_per_active_connection():
    active = [make_connection(), make_connection()]
    make_connection(is_active=False)

    assert sync_all_analytics() == 2

    assert sorted(task.args() for task in OrmQ.objects.all()) == [(c.pk,) for c in active]


def test_the_daily_schedule_runs_after_the_token_refresh_and_is_set_up_once():
    call_command("setup_schedules", stdout=StringIO())
    call_command("setup_schedules", stdout=StringIO())

    (schedule,) = Schedule.objects.filter(name=SYNC_SCHEDULE)
    refresh = Schedule.objects.get(name="refresh-pinterest-tokens")
    assert schedule.func == "analytics.tasks.sync_all_analytics" and schedule.schedule_type == Schedule.DAILY
    assert schedule.next_run.astimezone(UTC).time() == datetime(2026, 1, 1, 3, 0).time()
    assert refresh.next_run.astimezone(UTC).hour == 2
