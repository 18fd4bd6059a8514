"""Time-slot queues: slot computation (across both DST changes), occupancy shared by the projects
of one account, add/remove, the listing, the slots themselves, and two requests at once."""

import time as time_module
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from publishing.models import Pin, PinStatus, PostingSlot
from publishing.services import content
from publishing.services.content import PinNotEditable
from publishing.services.queue_slots import (
    local_to_utc,
    pin_add_to_queue,
    pin_remove_from_queue,
    pins_add_to_queue,
    project_queue_list,
    project_slots_replace,
    slot_instants,
)
from tests.factories import make_board, make_connection, make_pin, make_project
from tests.publishing.helpers import in_threads

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
MON, SUN = 0, 6
# 2030: summer time starts Sunday 31 March (02:00 -> 03:00) and ends Sunday 27 October (03:00 -> 02:00).
SPRING_SUNDAY, AUTUMN_SUNDAY = date(2030, 3, 31), date(2030, 10, 27)
NOW = datetime(2030, 3, 25, 6, 0, tzinfo=UTC)  # Monday 25 March 2030, 07:00 in Berlin


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# --- Slot computation ------------------------------------------------------------------------


def test_a_local_time_inside_the_spring_gap_moves_to_the_end_of_the_gap():
    assert local_to_utc(day=SPRING_SUNDAY, at=time(2, 30), zone=BERLIN) == utc(2030, 3, 31, 1, 0)
    assert utc(2030, 3, 31, 1, 0).astimezone(BERLIN).strftime("%H:%M %Z") == "03:00 CEST"


def test_a_local_time_that_happens_twice_in_autumn_is_its_first_occurrence():
    assert local_to_utc(day=AUTUMN_SUNDAY, at=time(2, 30), zone=BERLIN) == utc(2030, 10, 27, 0, 30)


def test_a_daily_slot_in_the_gap_gives_one_instant_every_day_of_the_spring_week():
    daily = [(weekday, time(2, 30)) for weekday in range(7)]
    instants = slot_instants(zone=BERLIN, slots=daily, start=utc(2030, 3, 25), end=utc(2030, 4, 1, 12))
    assert [t.astimezone(BERLIN).strftime("%a %H:%M") for t in instants] == [
        "Mon 02:30", "Tue 02:30", "Wed 02:30", "Thu 02:30", "Fri 02:30", "Sat 02:30", "Sun 03:00", "Mon 02:30",
    ]


def test_the_autumn_sunday_slot_in_the_repeated_hour_is_used_once():
    instants = slot_instants(
        zone=BERLIN, slots=[(SUN, time(2, 30))], start=utc(2030, 10, 26), end=utc(2030, 10, 28)
    )
    assert instants == [utc(2030, 10, 27, 0, 30)]


def test_slots_keep_their_local_time_across_both_changes():
    slots = [(MON, time(9, 0))]
    before_after = slot_instants(zone=BERLIN, slots=slots, start=utc(2030, 3, 24), end=utc(2030, 4, 2))
    assert before_after == [utc(2030, 3, 25, 8, 0), utc(2030, 4, 1, 7, 0)]
    autumn = slot_instants(zone=BERLIN, slots=slots, start=utc(2030, 10, 21), end=utc(2030, 10, 29))
    assert autumn == [utc(2030, 10, 21, 7, 0), utc(2030, 10, 28, 8, 0)]


def test_a_gap_slot_and_a_slot_at_the_gaps_end_are_one_minute():
    slots = [(SUN, time(2, 30)), (SUN, time(3, 0))]
    assert slot_instants(zone=BERLIN, slots=slots, start=utc(2030, 3, 30), end=utc(2030, 4, 1)) == [
        utc(2030, 3, 31, 1, 0)
    ]


# --- The queue -------------------------------------------------------------------------------


def account_with_projects(*zones, slots=((MON, time(9, 0)),)):
    connection = make_connection()
    board = make_board(connection=connection)
    projects = []
    for zone in zones:
        project = make_project(tenant=connection.tenant, connection=connection, timezone=zone)
        for weekday, at in slots:
            PostingSlot.objects.create(project=project, weekday=weekday, local_time=at)
        projects.append(project)
    return board, projects


def draft(project, board, **fields):
    return make_pin(project=project, board=board, status=PinStatus.DRAFT, **fields)


def test_add_to_queue_takes_the_next_free_slots_in_order():
    board, (project,) = account_with_projects("Europe/Berlin", slots=[(MON, time(9, 0)), (SUN, time(2, 30))])
    first, second, third = (draft(project, board) for _ in range(3))
    assert pin_add_to_queue(pin=first, now=NOW).scheduled_at == utc(2030, 3, 25, 8, 0)
    assert pin_add_to_queue(pin=second, now=NOW).scheduled_at == utc(2030, 3, 31, 1, 0)
    third = pin_add_to_queue(pin=third, now=NOW)
    assert third.scheduled_at == utc(2030, 4, 1, 7, 0)
    assert third.status == PinStatus.READY_TO_SCHEDULE


def test_a_slot_already_past_is_not_handed_out():
    board, (project,) = account_with_projects("Europe/Berlin")
    pin = pin_add_to_queue(pin=draft(project, board), now=utc(2030, 3, 25, 8, 0, 30))
    assert pin.scheduled_at == utc(2030, 4, 1, 7, 0)


def test_two_projects_on_one_account_never_get_the_same_minute():
    # 09:00 in Berlin and 08:00 in London are the same minute in March.
    board, (berlin, london) = account_with_projects("Europe/Berlin", "UTC")
    PostingSlot.objects.filter(project=london).update(local_time=time(8, 0))
    a = pin_add_to_queue(pin=draft(berlin, board), now=NOW)
    b = pin_add_to_queue(pin=draft(london, board), now=NOW)
    assert a.scheduled_at == utc(2030, 3, 25, 8, 0)
    assert b.scheduled_at == utc(2030, 4, 1, 8, 0)


def test_a_project_on_another_account_may_take_the_same_minute():
    board, (project,) = account_with_projects("Europe/Berlin")
    other_board, (other,) = account_with_projects("Europe/Berlin")
    a = pin_add_to_queue(pin=draft(project, board), now=NOW)
    b = pin_add_to_queue(pin=draft(other, other_board), now=NOW)
    assert a.scheduled_at == b.scheduled_at == utc(2030, 3, 25, 8, 0)


def test_a_pin_scheduled_by_hand_in_a_slot_minute_takes_it():
    board, (project,) = account_with_projects("Europe/Berlin")
    content.pin_schedule(pin=draft(project, board), scheduled_at=utc(2030, 3, 25, 8, 0, 40), now=NOW)
    assert pin_add_to_queue(pin=draft(project, board), now=NOW).scheduled_at == utc(2030, 4, 1, 7, 0)


def test_unscheduling_a_pin_frees_its_slot():
    board, (project,) = account_with_projects("Europe/Berlin")
    first = pin_add_to_queue(pin=draft(project, board), now=NOW)
    removed = pin_remove_from_queue(pin=first)
    assert removed.status == PinStatus.DRAFT and removed.scheduled_at is None
    assert pin_add_to_queue(pin=draft(project, board), now=NOW).scheduled_at == utc(2030, 3, 25, 8, 0)


@pytest.mark.parametrize("decided", [PinStatus.PUBLISHED, PinStatus.ERROR])
def test_a_published_or_failed_pin_frees_its_slot(decided):
    board, (project,) = account_with_projects("Europe/Berlin")
    first = pin_add_to_queue(pin=draft(project, board), now=NOW)
    Pin.objects.filter(pk=first.pk).update(status=decided)
    assert pin_add_to_queue(pin=draft(project, board), now=NOW).scheduled_at == first.scheduled_at


def test_queueing_a_queued_pin_again_keeps_its_own_slot():
    board, (project,) = account_with_projects("Europe/Berlin")
    pin = pin_add_to_queue(pin=draft(project, board), now=NOW)
    assert pin_add_to_queue(pin=pin, now=NOW).scheduled_at == utc(2030, 3, 25, 8, 0)


def test_a_project_without_slots_is_refused_naming_the_project():
    board, (project,) = account_with_projects("UTC", slots=())
    pin = draft(project, board)
    with pytest.raises(ValidationError) as refused:
        pin_add_to_queue(pin=pin, now=NOW)
    assert "no posting slots" in refused.value.message_dict["project"][0]
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.DRAFT


def test_the_schedule_rules_still_apply_a_pin_without_board_is_refused():
    board, (project,) = account_with_projects("UTC")
    pin = make_pin(project=project, board=None, status=PinStatus.DRAFT)
    with pytest.raises(ValidationError) as refused:
        pin_add_to_queue(pin=pin, now=NOW)
    assert "board" in refused.value.message_dict


def test_a_published_pin_cannot_be_queued():
    board, (project,) = account_with_projects("UTC")
    with pytest.raises(PinNotEditable):
        pin_add_to_queue(pin=make_pin(project=project, board=board, status=PinStatus.PUBLISHED), now=NOW)


def test_bulk_queueing_is_all_or_nothing_and_names_each_refused_pin():
    board, (project,) = account_with_projects("UTC")
    good = draft(project, board)
    boardless = make_pin(project=project, board=None, status=PinStatus.DRAFT)
    with pytest.raises(ValidationError) as refused:
        pins_add_to_queue(pins=[good, boardless], now=NOW)
    (problem,) = refused.value.message_dict["pin_ids"]
    assert problem.startswith(f"Pin {boardless.pk}: board:")
    assert Pin.objects.get(pk=good.pk).scheduled_at is None


def test_bulk_queueing_across_two_projects_of_one_account_hands_out_distinct_minutes():
    board, (a, b) = account_with_projects("UTC", "UTC", slots=[(MON, time(9, 0)), (MON, time(10, 0))])
    pins = [draft(a, board), draft(b, board), draft(a, board), draft(b, board)]
    scheduled = pins_add_to_queue(pins=pins, now=NOW)
    times = [pin.scheduled_at for pin in scheduled]
    assert times == [utc(2030, 3, 25, 9), utc(2030, 3, 25, 10), utc(2030, 4, 1, 9), utc(2030, 4, 1, 10)]


# --- The listing -----------------------------------------------------------------------------


def test_the_listing_shows_own_pins_minutes_taken_by_another_project_and_free_slots():
    board, (project, sibling) = account_with_projects("UTC", "UTC")
    own = pin_add_to_queue(pin=draft(project, board), now=NOW)
    theirs = pin_add_to_queue(pin=draft(sibling, board), now=NOW)  # the next Monday
    listing = project_queue_list(project=project, now=NOW, days=21)
    assert [slot.at for slot in listing] == [utc(2030, 3, 25, 9), utc(2030, 4, 1, 9), utc(2030, 4, 8, 9)]
    assert listing[0].pin.pk == own.pk and not listing[0].is_free
    assert listing[1].pin is None and listing[1].taken_by.pk == theirs.pk and not listing[1].is_free
    assert listing[2].is_free


def test_the_listing_of_a_project_without_slots_is_empty():
    _board, (project,) = account_with_projects("UTC", slots=())
    assert project_queue_list(project=project, now=NOW) == []


# --- Slots and the project's zone ------------------------------------------------------------


def test_slots_are_replaced_as_a_whole():
    _board, (project,) = account_with_projects("UTC")
    project_slots_replace(project=project, slots=[(SUN, time(18, 0)), (MON, time(7, 30))])
    assert [str(slot) for slot in project.posting_slots.all()] == ["Monday 07:30", "Sunday 18:00"]


@pytest.mark.parametrize(
    "slots,message",
    [
        ([(MON, time(9, 0)), (MON, time(9, 0))], "Monday 09:00 is given twice."),
        ([(7, time(9, 0))], "7 is not a weekday"),
        ([(MON, time(9, 0, 30))], "Monday 09:00: Give a time in whole minutes"),
    ],
)
def test_bad_slots_are_refused_and_the_old_ones_stay(slots, message):
    _board, (project,) = account_with_projects("UTC")
    with pytest.raises(ValidationError) as refused:
        project_slots_replace(project=project, slots=slots)
    assert refused.value.message_dict["slots"][0].startswith(message)
    assert [str(slot) for slot in project.posting_slots.all()] == ["Monday 09:00"]


def test_a_project_time_zone_must_be_an_iana_name(tenant):
    with pytest.raises(ValidationError) as refused:
        content.project_create(tenant=tenant, name="P", timezone="Mars/Olympus")
    assert "'Mars/Olympus' is not a time zone name" in refused.value.message_dict["timezone"][0]
    assert content.project_create(tenant=tenant, name="Q", timezone="Europe/Berlin").timezone == "Europe/Berlin"


# --- At once ---------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_queueing_at_once_on_one_account_never_get_the_same_minute(monkeypatch):
    # Each request waits between choosing its minute and writing it: without the lock every one
    # of them would choose the first free minute.
    schedule = content.pin_schedule

    def slow_schedule(**kwargs):
        time_module.sleep(0.3)
        return schedule(**kwargs)

    monkeypatch.setattr(content, "pin_schedule", slow_schedule)
    board, (a, b) = account_with_projects("UTC", "Etc/UTC", slots=[(MON, time(8, 0)), (MON, time(9, 0))])
    pins = [draft(a, board), draft(b, board), draft(a, board), draft(b, board)]
    outcomes = in_threads([lambda pin=pin: pin_add_to_queue(pin=pin, now=NOW) for pin in pins])
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    minutes = sorted(Pin.objects.filter(pk__in=[p.pk for p in pins]).values_list("scheduled_at", flat=True))
    assert len(set(minutes)) == 4
    assert minutes == [utc(2030, 3, 25, 8), utc(2030, 3, 25, 9), utc(2030, 4, 1, 8), utc(2030, 4, 1, 9)]
