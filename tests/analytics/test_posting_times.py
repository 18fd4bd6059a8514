"""Posting times from the account's own results: cells by weekday and hour of publication in the
project's zone, the best ones suggested with their evidence, nothing suggested below the minimum."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.test import override_settings

from analytics.models import PinDailyMetrics
from analytics.posting_times import posting_times
from analytics.services.rollup import daily_rows_store
from publishing.models import PinStatus
from tests.factories import make_board, make_connection, make_pin, make_project

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday


def published(project, board, at, *, clicks, saves=0, days=2):
    """A pin published ``at`` whose days add up to ``clicks`` outbound clicks and ``saves`` saves."""
    pin = make_pin(project=project, board=board, status=PinStatus.PUBLISHED, pinterest_pin_id=str(at.timestamp()),
                   published_at=at)
    for offset in range(days):
        daily_rows_store(rows=[PinDailyMetrics(
            pin=pin, project=project, board=board, kind=pin.kind, date=date(2026, 11, 20) + timedelta(days=offset),
            impressions=100, outbound_clicks=clicks if offset == 0 else 0, saves=saves if offset == 0 else 0,
        )])
    return pin


@pytest.fixture
def world():
    connection = make_connection()
    project = make_project(tenant=connection.tenant, connection=connection, timezone="UTC")
    return project, make_board(connection=connection)


def fill(project, board, cells):
    """``cells``: (day offset from Monday, hour, [clicks per pin], saves per pin)."""
    for day, hour, clicks, saves in cells:
        for n, value in enumerate(clicks):
            published(project, board, MONDAY + timedelta(days=day, hours=hour, minutes=n), clicks=value, saves=saves)


@override_settings(ANALYTICS_SUGGEST_MIN_PINS=2, ANALYTICS_SUGGEST_MIN_TOTAL_PINS=6, ANALYTICS_SUGGEST_SLOTS=3)
def test_the_best_cells_by_mean_outbound_clicks_then_saves_are_suggested_with_their_evidence(world):
    project, board = world
    fill(project, board, [
        (0, 9, [4, 6], 1),    # Monday 09: mean 5 clicks
        (1, 18, [8, 10], 0),  # Tuesday 18: mean 9
        (2, 12, [3, 3], 7),   # Wednesday 12: mean 3, saves 7
        (3, 12, [3, 3], 2),   # Thursday 12: mean 3, saves 2 (the tie lost on saves)
        (4, 20, [50], 0),     # Friday 20: one pin only, too little evidence however good
    ])

    result = posting_times(project=project)

    assert result.enough_data and result.pins == 9
    assert [(c.weekday, c.hour, c.pins, c.mean_outbound_clicks, c.mean_saves) for c in result.suggested] == [
        (1, 18, 2, 9.0, 0.0), (0, 9, 2, 5.0, 1.0), (2, 12, 2, 3.0, 7.0),
    ]
    assert result.slots == [(1, time(18)), (0, time(9)), (2, time(12))]
    assert len(result.cells) == 5


@override_settings(ANALYTICS_SUGGEST_MIN_PINS=2, ANALYTICS_SUGGEST_MIN_TOTAL_PINS=6)
def test_nothing_is_suggested_below_the_minimum_total_of_pins(world):
    project, board = world
    fill(project, board, [(0, 9, [4, 6], 1), (1, 18, [8, 10], 0), (2, 12, [3], 0)])

    result = posting_times(project=project)

    assert not result.enough_data and result.suggested == [] and result.slots == []
    assert (result.pins, result.min_total_pins) == (5, 6)
    assert len(result.cells) == 3  # the evidence is still shown


@override_settings(ANALYTICS_SUGGEST_MIN_PINS=3, ANALYTICS_SUGGEST_MIN_TOTAL_PINS=1)
def test_nothing_is_suggested_when_no_cell_holds_the_minimum_of_pins(world):
    project, board = world
    fill(project, board, [(0, 9, [4, 6], 1), (1, 18, [8, 10], 0)])

    assert not posting_times(project=project).enough_data


@override_settings(ANALYTICS_SUGGEST_MIN_PINS=1, ANALYTICS_SUGGEST_MIN_TOTAL_PINS=1)
def test_a_pin_published_2330_utc_on_monday_counts_for_tuesday_morning_in_tokyo(world):
    project, board = world
    project.timezone = "Asia/Tokyo"
    project.save()
    published(project, board, MONDAY + timedelta(hours=23, minutes=30), clicks=3)

    result = posting_times(project=project)

    assert [(c.weekday, c.hour) for c in result.cells] == [(1, 8)]  # Tuesday 08:30 in Tokyo
    assert result.slots == [(1, time(8))]
    assert result.timezone == "Asia/Tokyo"


@override_settings(ANALYTICS_SUGGEST_MIN_PINS=1, ANALYTICS_SUGGEST_MIN_TOTAL_PINS=1)
def test_another_projects_pins_and_pins_without_metrics_are_no_evidence(world):
    project, board = world
    other = make_project(tenant=project.tenant, connection=project.pinterest_connection)
    published(other, board, MONDAY, clicks=9)
    make_pin(project=project, board=board, status=PinStatus.PUBLISHED, pinterest_pin_id="x", published_at=MONDAY)

    result = posting_times(project=project)

    assert result.cells == [] and not result.enough_data
