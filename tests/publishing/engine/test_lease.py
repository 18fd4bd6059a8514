"""Claims and leases: whoever holds the stamp is the only one who may call Pinterest or decide."""

from datetime import timedelta

import pytest
from django.utils import timezone

from publishing.engine import lease
from publishing.models import Pin, PinStatus
from tests.factories import make_pin

pytestmark = pytest.mark.django_db


def test_a_claim_is_won_once():
    pin = make_pin(status=PinStatus.DRAFT)
    now = timezone.now()
    assert lease.claim(pin_id=pin.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=now)
    assert not lease.claim(pin_id=pin.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=now)
    pin.refresh_from_db()
    assert (pin.status, pin.publishing_started_at, pin.claimed_at) == (PinStatus.PUBLISHING, now, now)


def test_a_claim_clears_the_old_error_message():
    pin = make_pin(status=PinStatus.ERROR, error_message="earlier failure")
    assert lease.claim(pin_id=pin.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=timezone.now())
    assert Pin.objects.get(pk=pin.pk).error_message == ""


def held_pin():
    pin = make_pin(status=PinStatus.DRAFT)
    lease.claim(pin_id=pin.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=timezone.now())
    return Pin.objects.get(pk=pin.pk)


def test_renew_moves_the_lease_but_not_the_claim():
    pin = held_pin()
    claimed = pin.claimed_at
    assert lease.renew(pin)
    stored = Pin.objects.get(pk=pin.pk)
    assert stored.publishing_started_at == pin.publishing_started_at and stored.claimed_at == claimed


def test_a_publisher_whose_lease_was_taken_over_can_neither_renew_nor_release():
    pin = held_pin()
    stale = Pin.objects.get(pk=pin.pk)
    assert lease.take_over(pin, now=timezone.now() + timedelta(seconds=1))
    assert not lease.renew(stale)
    lease.release(stale)
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.PUBLISHING


def test_two_takeovers_of_one_expired_lease_only_one_wins():
    pin = held_pin()
    first, second = Pin.objects.get(pk=pin.pk), Pin.objects.get(pk=pin.pk)
    assert lease.take_over(first, now=timezone.now())
    assert not lease.take_over(second, now=timezone.now())


def test_release_puts_a_held_pin_back_on_the_schedule_or_back_to_draft():
    pin = held_pin()
    assert lease.release(pin) == PinStatus.DRAFT  # no time: nothing would ever publish it
    stored = Pin.objects.get(pk=pin.pk)
    assert (stored.status, stored.publishing_started_at) == (PinStatus.DRAFT, None)
    scheduled = make_pin(status=PinStatus.READY_TO_SCHEDULE, scheduled_at=timezone.now())
    lease.claim(pin_id=scheduled.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=timezone.now())
    assert lease.release(Pin.objects.get(pk=scheduled.pk)) == PinStatus.READY_TO_SCHEDULE
