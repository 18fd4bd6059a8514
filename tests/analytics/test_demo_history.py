"""The demo's month of analytics (``make run``): the stand-in's demo account has pins created over
the last 30 days at weekly times, ``seed_demo`` records them as the demo project's published pins,
and the real sync against the stand-in gives 30 days of numbers and a posting-time suggestion."""

import json
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from analytics.conf import analytics_settings
from analytics.posting_times import posting_times
from analytics.selectors import project_analytics
from analytics.services.sync import connection_sync_analytics
from pinterest.standin.demo_history import WEEKLY_TIMES
from planner.reads import thumbnail_url
from publishing.models import BlogProject, Pin, PinStatus
from publishing.services.demo import demo_seed
from tests.analytics.helpers import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(standin):
    standin.set_analytics_today(TODAY)
    user = standin.seed_demo()
    access, refresh = standin.issue_tokens(user)
    history = standin.seed_demo_history(days=30)
    return {"access_token": access, "refresh_token": refresh, "history": history}


def test_the_standin_demo_account_has_pins_of_the_last_30_days_at_its_weekly_times(standin):
    standin.set_analytics_today(TODAY)
    standin.seed_demo()

    history = standin.seed_demo_history(days=30)

    created = [datetime.fromisoformat(pin["created_at"]) for pin in history]
    assert 24 <= len(history) <= 27
    assert min(created).date() >= TODAY - timedelta(days=30) and max(created).date() < TODAY
    assert {(when.weekday(), when.hour) for when in created} == set(WEEKLY_TIMES)
    assert len({pin["board_id"] for pin in history}) == 3  # the demo's boards in turn
    assert {pin["media_type"] for pin in history} == {"image", "video", "multiple_images"}


def test_seed_demo_records_the_history_as_published_pins_on_their_boards_once(demo):
    first = demo_seed(**demo)
    again = demo_seed(**demo)

    pins = Pin.objects.filter(project_id=first.project_id, status=PinStatus.PUBLISHED)
    assert first.history_pins == len(demo["history"]) and again.history_pins == 0
    assert pins.count() == len(demo["history"])
    past = {pin["id"]: pin for pin in demo["history"]}
    for pin in pins.select_related("board"):
        remote = past[pin.pinterest_pin_id]
        assert pin.published_at == datetime.fromisoformat(remote["created_at"])
        assert pin.board.pinterest_board_id == remote["board_id"] and thumbnail_url(pin)
        assert pin.kind == {"image": "image", "video": "video", "multiple_images": "carousel"}[remote["media_type"]]
    assert set(pins.values_list("kind", flat=True)) == {"image", "video", "carousel"}


def test_the_synced_demo_shows_30_days_and_suggests_weekend_evenings(demo):
    seeded = demo_seed(**demo)

    report = connection_sync_analytics(connection_id=seeded.connection.pk, today=TODAY)

    assert report.pins_synced == len(demo["history"]) and not report.error
    project = BlogProject.objects.get(pk=seeded.project_id)
    page = project_analytics(project=project, start=TODAY - timedelta(days=30), end=TODAY - timedelta(days=1))
    assert len([day for day in page["per_day"] if day["impressions"]]) >= 29
    times = posting_times(project=project)
    assert [(cell.weekday, cell.hour) for cell in times.suggested] == [(5, 19), (6, 20), (2, 19)]
    assert all(cell.pins >= int(analytics_settings.ANALYTICS_SUGGEST_MIN_PINS) for cell in times.suggested)
    assert times.pins >= int(analytics_settings.ANALYTICS_SUGGEST_MIN_TOTAL_PINS)


def test_seed_demo_refuses_a_history_file_that_is_not_a_list_of_past_pins(tmp_path):
    bad = tmp_path / "history.json"
    bad.write_text(json.dumps([{"id": "1", "board_id": "2", "created_at": "2026-11-20T19:00:00"}]))

    with pytest.raises(CommandError, match="created_at"):
        call_command("seed_demo", "--history-json", str(bad))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("seed_demo", "--history-json", str(tmp_path / "missing.json"))


def test_the_pins_list_opens_on_the_demos_pins_of_today_before_its_past(demo):
    seeded = demo_seed(**demo)

    newest = list(Pin.objects.filter(project_id=seeded.project_id).order_by("-created_at", "id")[:14])

    assert all(pin.status != PinStatus.PUBLISHED for pin in newest)
    assert set(seeded.due_pin_ids) <= {str(pin.pk) for pin in newest}
