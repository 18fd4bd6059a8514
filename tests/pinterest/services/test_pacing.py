"""Waiting for an account's pacing slot: unbounded for a dispatcher's thread, bounded for a person.

No wall clock: the sleeps asked for are recorded, and "time passing" frees the slot."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pinterest.models import PinterestConnection
from pinterest.services.pacing import connection_wait_for_publish_slot
from tests.factories import make_connection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _interval(settings):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 10


def slot_in(connection, seconds):
    at = timezone.now() + timedelta(seconds=seconds)
    PinterestConnection.objects.filter(pk=connection.pk).update(next_publish_at=at)
    return at


def slot_of(connection):
    return PinterestConnection.objects.get(pk=connection.pk).next_publish_at


def time_passes(connection, asked):
    """A sleep that frees the slot it waited for."""

    def sleep(seconds):
        asked.append(seconds)
        slot_in(connection, 0)

    return sleep


def test_a_bounded_wait_for_a_slot_further_off_returns_at_once_without_taking_it():
    connection = make_connection()
    at = slot_in(connection, 3600)
    asked = []

    taken = connection_wait_for_publish_slot(connection_id=connection.pk, sleep=asked.append, max_wait=15)

    assert taken is False and asked == [] and slot_of(connection) == at


def test_a_bounded_wait_takes_a_slot_that_comes_within_it():
    connection = make_connection()
    slot_in(connection, 5)
    asked = []

    taken = connection_wait_for_publish_slot(connection_id=connection.pk, sleep=time_passes(connection, asked),
                                             max_wait=15)

    assert taken is True and len(asked) == 1 and 0 < asked[0] <= 5
    assert slot_of(connection) > timezone.now() + timedelta(seconds=9)  # the next create's slot


def test_a_bounded_wait_whose_slot_others_keep_taking_gives_up_within_the_bound():
    connection = make_connection()
    slot_in(connection, 6)
    asked = []

    def others_take_each_slot(seconds):
        asked.append(seconds)
        slot_in(connection, 6)

    taken = connection_wait_for_publish_slot(connection_id=connection.pk, sleep=others_take_each_slot, max_wait=15)

    assert taken is False and len(asked) == 2 and sum(asked) <= 15


def test_an_unbounded_wait_sleeps_until_the_slot_however_far():
    connection = make_connection()
    slot_in(connection, 3600)
    asked = []

    assert connection_wait_for_publish_slot(connection_id=connection.pk, sleep=time_passes(connection, asked))

    assert len(asked) == 1 and 3590 < asked[0] <= 3600
