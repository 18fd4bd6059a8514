"""Who publishes a claimed pin (``context.Caller``), decided once: a person waiting out of their
patience, or a dispatcher holding the account's slot. No wall clock: time is a list of readings."""

from publishing.engine.context import Caller, Patience


def clock_at(*readings):
    times = iter(readings)
    return lambda: next(times)


def test_a_person_holds_no_slot_releases_nothing_and_waits_only_within_their_patience():
    person = Caller.person(Patience(seconds=15, clock=clock_at(0.0, 0.0, 0.0, 0.0)))
    assert person.waits_for_answer and not person.holds_slot and not person.releases_when_stopped
    assert person.may_wait(15) and not person.may_wait(15.5)
    assert person.max_wait() == 15


def test_a_persons_sleeps_are_spent_out_of_their_patience():
    slept = []
    person = Caller.person(Patience(seconds=15, clock=clock_at(0.0, 0.0, 0.0)))
    person.wait(10, sleep=slept.append)
    assert slept == [10] and person.max_wait() == 5 and not person.may_wait(6)


def test_a_dispatcher_holds_the_slot_waits_without_bound_and_sends_a_due_pin_back():
    dispatcher = Caller.dispatcher()
    assert dispatcher.holds_slot and dispatcher.releases_when_stopped and not dispatcher.waits_for_answer
    assert dispatcher.may_wait(3600) and dispatcher.max_wait() is None


def test_a_dispatcher_serving_a_bulk_batch_fails_the_item_rather_than_sending_the_pin_back():
    assert not Caller.dispatcher(for_batch=True).releases_when_stopped


def test_a_wait_that_spent_the_dispatchers_slot_leaves_the_same_caller_without_it():
    spent = Caller.dispatcher().slot_spent()
    assert spent == Caller(holds_slot=False, releases_when_stopped=True)
