"""The dashboard's rollups answer exactly what summing the daily rows answers: totals, per day,
per board, per kind and top pins, for windows of one day, across a month's end, of whole weeks and
of none, after revised days, moved pins, deleted pins and boards, with two tenants kept apart; the
backfill gives the same rollups as the writers; concurrent writers (PostgreSQL) lose nothing."""

import io
import random
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import Sum

from analytics.models import PinAnalyticsState, PinDailyMetrics, PinWeekRollup, ProjectDayRollup
from analytics.posting_times import posting_times
from analytics.selectors import METRICS, PinToSync, project_analytics, tenant_totals
from analytics.services.rollup import rollups_rebuild
from analytics.services.store import pin_days_store
from pinterest.client import DayMetrics
from pinterest.models import Board
from publishing.models import Pin, PinStatus
from tests.factories import make_board, make_connection, make_pin, make_project

pytestmark = pytest.mark.django_db

FIRST = date(2026, 8, 20)  # a Thursday; the rows run to the end of November
DAYS = 103
NOW = datetime(2026, 12, 6, tzinfo=UTC)
WINDOWS = [
    (date(2026, 10, 14), date(2026, 10, 14)),  # one day (a Wednesday)
    (date(2026, 11, 1), date(2026, 11, 1)),  # one day, a Sunday
    (date(2026, 10, 29), date(2026, 11, 3)),  # across a month's end, no whole week
    (date(2026, 9, 27), date(2026, 10, 12)),  # Sunday to Monday: two whole weeks and one edge day each side
    (date(2026, 10, 5), date(2026, 10, 11)),  # exactly one week, Monday to Sunday
    (date(2026, 10, 31), date(2026, 11, 29)),  # 30 days
    (date(2026, 9, 1), date(2026, 11, 29)),  # 90 days
    (date(2026, 8, 1), date(2026, 12, 31)),  # wider than the rows
    (date(2026, 12, 1), date(2026, 12, 5)),  # after the rows: nothing
]


def raw_dashboard(project, start, end, top=20):
    """What ``project_analytics`` answered before the rollups: the daily rows summed."""
    rows = PinDailyMetrics.objects.filter(project=project, date__gte=start, date__lte=end)
    sums = {name: Sum(name) for name in METRICS}

    def grouped(key):
        groups = {}
        for row in rows.values(key).annotate(**sums).order_by():
            groups[row[key]] = {key: row[key], **{name: int(row[name] or 0) for name in METRICS}}
        return [groups[name] for name in sorted(groups, key=lambda value: (value is None, value))]

    per_board = sorted(grouped("board_id"), key=lambda row: (-row["impressions"], row["board_id"] or 0))
    for row in per_board:
        row["board_name"] = Board.objects.filter(pk=row["board_id"]).values_list("name", flat=True).first()
    top_pins = [
        {"pin_id": row["pin_id"], "kind": row["kind"], **{name: int(row[name]) for name in METRICS}}
        for row in rows.values("pin_id", "kind").annotate(**sums)
        .order_by("-outbound_clicks", "-saves", "-impressions", "pin_id")[:top]
    ]
    for row in top_pins:
        pin = Pin.objects.get(pk=row["pin_id"])
        row["title"], row["pinterest_pin_id"] = pin.title, pin.pinterest_pin_id
    totals = {name: int(value or 0) for name, value in rows.aggregate(**sums).items()}
    return {"project": project.pk, "from": start, "to": end, "totals": totals,
            "per_day": grouped("date"), "per_board": per_board, "per_kind": grouped("kind"), "top_pins": top_pins}


def to_sync(pin, board_id=None):
    return PinToSync(pin.id, pin.pinterest_pin_id, pin.kind, pin.project_id,
                     board_id if board_id is not None else pin.board_id, pin.published_at, None, None)


def day(on, seed, status="READY"):
    return DayMetrics(on, status, {"IMPRESSION": seed * 37 % 1000, "SAVE": seed * 7 % 50, "PIN_CLICK": seed % 30,
                                   "OUTBOUND_CLICK": seed * 13 % 20})


def store(pin, days, board_id=None):
    pin_days_store(pin=to_sync(pin, board_id), days=days, now=NOW)


@pytest.fixture
def world():
    """Two tenants; the first with two projects (3 boards, 12 pins of three kinds, each from its own
    first day, some days missing), the second with one project whose numbers must never show."""
    rng = random.Random(27)
    projects = []
    for tenant_n in range(2):
        connection_ = make_connection()
        boards = [make_board(connection=connection_, name=f"Board {n}") for n in range(3)]
        for _ in range(2 - tenant_n):
            project = make_project(tenant=connection_.tenant, connection=connection_)
            for n in range(12):
                pin = make_pin(project=project, board=boards[n % 3], kind=("image", "video", "carousel")[n % 3],
                               status=PinStatus.PUBLISHED, pinterest_pin_id=f"{project.pk}-{n}", title=f"Pin {n % 5}",
                               published_at=datetime(2026, 8, 1, 9 + n, tzinfo=UTC), with_image=False)
                begins = rng.randrange(0, 40)
                store(pin, [day(FIRST + timedelta(days=d), rng.randrange(1, 10_000))
                            for d in range(begins, DAYS) if rng.random() > 0.1])
            projects.append(project)
    return {"rng": rng, "project": projects[0], "sibling": projects[1], "stranger": projects[2]}


def assert_same_as_the_rows(*projects):
    for project in projects:
        for start, end in WINDOWS:
            for top in (20, 3):
                assert project_analytics(project=project, start=start, end=end, top=top) == raw_dashboard(
                    project, start, end, top), (project.pk, start, end, top)
    assert_rollups_rebuilt_alike()


def assert_rollups_rebuilt_alike():
    """The writers' rollups are what the backfill computes from the rows, but for keys at zero and
    a deleted board's key (read as no board, as the rows' NULL)."""
    boards = set(Board.objects.values_list("pk", flat=True))

    def live(model, *key):
        sums = {}
        for row in model.objects.values(*key, "rows", *METRICS):
            if row.get("board_key") not in boards:
                row["board_key"] = 0
            total = sums.setdefault(tuple(row[name] for name in key), [0] * 5)
            for index, name in enumerate(("rows", *METRICS)):
                total[index] += row[name]
        return {k: tuple(v) for k, v in sums.items() if any(v)}

    day_key, week_key = ("project_id", "date", "board_key", "kind"), ("project_id", "week", "pin_id", "kind")
    written = live(ProjectDayRollup, *day_key), live(PinWeekRollup, *week_key)
    rollups_rebuild()
    assert (live(ProjectDayRollup, *day_key), live(PinWeekRollup, *week_key)) == written


def test_the_dashboard_from_the_rollups_equals_the_daily_rows_summed_for_every_window(world):
    assert_same_as_the_rows(world["project"], world["sibling"], world["stranger"])
    assert ProjectDayRollup.objects.filter(rows__lt=0).count() == 0


def test_revised_days_move_the_rollups_by_their_difference(world):
    rng = world["rng"]
    for pin in Pin.objects.filter(project=world["project"])[:6]:
        # The last days fetched again: some with new numbers, some the same, one now PROCESSING.
        days = [day(date(2026, 11, 29) - timedelta(days=d), rng.randrange(1, 10_000), status="PROCESSING")
                for d in range(5)]
        store(pin, days)
        store(pin, days[:2])  # the same numbers again: nothing moves
    assert_same_as_the_rows(world["project"], world["sibling"])


def test_a_pin_moved_to_another_board_leaves_no_empty_board_behind(world):
    project = world["project"]
    alone = make_board(connection=project.pinterest_connection, name="Alone")
    pin = make_pin(project=project, board=alone, status=PinStatus.PUBLISHED, pinterest_pin_id="moved",
                   with_image=False)
    store(pin, [day(date(2026, 10, 20) + timedelta(days=d), 500 + d) for d in range(10)])
    other = Board.objects.exclude(pk=alone.pk).filter(connection=project.pinterest_connection).first()
    store(pin, [day(date(2026, 10, 20) + timedelta(days=d), 900 + d) for d in range(10)], board_id=other.pk)
    answer = project_analytics(project=project, start=date(2026, 10, 20), end=date(2026, 10, 29))
    assert alone.pk not in [row["board_id"] for row in answer["per_board"]]
    assert_same_as_the_rows(project)


def test_deleted_pins_and_boards_leave_the_dashboard_as_they_leave_the_rows(world):
    project = world["project"]
    pins = list(Pin.objects.filter(project=project).order_by("pinterest_pin_id"))
    pins[0].delete()
    Pin.objects.filter(pk__in=[pins[1].pk, pins[2].pk]).delete()  # a queryset's delete (a cascade does the same)
    # A board deleted once its pins moved: its rows keep their numbers without a board.
    board = pins[3].board
    spare = make_board(connection=project.pinterest_connection, name="Spare")
    Pin.objects.filter(board=board).update(board=spare)
    board.delete()
    assert PinDailyMetrics.objects.filter(project=project, board=None).exists()
    assert_same_as_the_rows(project, world["sibling"])


def test_a_pin_gone_from_pinterest_keeps_its_numbers(world):
    pin = Pin.objects.filter(project=world["project"]).first()
    PinAnalyticsState.objects.create(pin=pin, gone_at=NOW)
    answer = project_analytics(project=world["project"], start=FIRST, end=date(2026, 11, 30), top=100)
    assert pin.pk in [row["pin_id"] for row in answer["top_pins"]]
    assert_same_as_the_rows(world["project"])


def test_another_tenants_rows_never_reach_a_projects_dashboard_or_totals(world):
    project, stranger = world["project"], world["stranger"]
    answer = project_analytics(project=project, start=FIRST, end=date(2026, 11, 30), top=1000)
    theirs = set(Pin.objects.filter(project=stranger).values_list("pk", flat=True))
    assert theirs and not theirs & {row["pin_id"] for row in answer["top_pins"]}
    for start, end in WINDOWS:
        rows = PinDailyMetrics.objects.filter(project__tenant=project.tenant, date__gte=start, date__lte=end)
        expected = {name: int(value or 0) for name, value in rows.aggregate(
            **{name: Sum(name) for name in METRICS}).items()}
        assert tenant_totals(tenant=project.tenant, start=start, end=end) == expected


def test_posting_times_from_the_weeks_equal_each_pins_days_summed(world, settings):
    settings.ANALYTICS_SUGGEST_MIN_PINS = 1
    settings.ANALYTICS_SUGGEST_MIN_TOTAL_PINS = 1
    project = world["project"]
    times = posting_times(project=project)
    per_pin = PinDailyMetrics.objects.filter(project=project).values("pin_id").annotate(
        clicks=Sum("outbound_clicks"), saves=Sum("saves"))
    assert times.pins == len(per_pin) == 12
    published = dict(Pin.objects.filter(project=project).values_list("pk", "published_at"))
    expected = {}
    for row in per_pin:
        cell = expected.setdefault((published[row["pin_id"]].weekday(), published[row["pin_id"]].hour), [0, 0, 0])
        cell[0], cell[1], cell[2] = cell[0] + 1, cell[1] + row["clicks"], cell[2] + row["saves"]
    assert {(c.weekday, c.hour): (c.pins, c.mean_outbound_clicks, c.mean_saves) for c in times.cells} == {
        key: (pins, clicks / pins, saves / pins) for key, (pins, clicks, saves) in expected.items()}


def test_the_migrations_backfill_builds_the_rollups_of_rows_written_without_them(world):
    project = world["project"]
    ProjectDayRollup.objects.all().delete()
    PinWeekRollup.objects.all().delete()
    rollups_rebuild(project_id=project.pk)
    assert project_analytics(project=project, start=FIRST, end=date(2026, 11, 30)) == raw_dashboard(
        project, FIRST, date(2026, 11, 30))
    assert not ProjectDayRollup.objects.filter(project=world["sibling"]).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_project_and_of_one_pin_lose_nothing():
    """Four threads: two write different pins of one project, two write the same pin's same days
    (the second finds the first's rows once the pin's lock is released)."""
    connection_ = make_connection()
    board = make_board(connection=connection_)
    project = make_project(tenant=connection_.tenant, connection=connection_)
    pins = [make_pin(project=project, board=board, status=PinStatus.PUBLISHED, pinterest_pin_id=f"c{n}",
                     with_image=False) for n in range(3)]
    days = [date(2026, 11, 1) + timedelta(days=d) for d in range(20)]
    jobs = [(pins[0], 1), (pins[1], 2), (pins[2], 3), (pins[2], 4)]
    barrier = threading.Barrier(len(jobs))
    errors = []

    def write(pin, seed):
        try:
            barrier.wait()
            store(pin, [day(on, seed * 100 + n) for n, on in enumerate(days)])
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert connection.vendor == "postgresql"
    assert_same_as_the_rows(project)


def test_the_rebuild_command_restores_a_projects_rollups_and_refuses_a_bad_project(world):
    project = world["project"]
    ProjectDayRollup.objects.filter(project=project).delete()
    out = io.StringIO()
    call_command("rebuild_analytics_rollups", "--project", str(project.pk), stdout=out)
    assert f"project {project.pk}" in out.getvalue()
    assert_same_as_the_rows(project)
    for bad in ("x", "0", "999999"):
        with pytest.raises(CommandError, match="--project must be|No project"):
            call_command("rebuild_analytics_rollups", "--project", bad)


@pytest.mark.django_db(transaction=True)
def test_the_migration_backfills_the_rollups_of_the_rows_already_stored():
    from django.db.migrations.executor import MigrationExecutor

    connection_ = make_connection()
    project = make_project(tenant=connection_.tenant, connection=connection_)
    pin = make_pin(project=project, board=make_board(connection=connection_), status=PinStatus.PUBLISHED,
                   pinterest_pin_id="m1", with_image=False)
    store(pin, [day(date(2026, 10, 26) + timedelta(days=d), 40 + d) for d in range(12)])
    expected = raw_dashboard(project, date(2026, 10, 1), date(2026, 11, 30))
    executor = MigrationExecutor(connection)
    executor.migrate([("analytics", "0001_initial")])  # the rollups' tables go; the daily rows stay
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("analytics"))
    assert project_analytics(project=project, start=date(2026, 10, 1), end=date(2026, 11, 30)) == expected
