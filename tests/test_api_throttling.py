"""The API's throttles: a sliding window per user and per key, one small cache entry each."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from pinpublisher.api import ApiKeyRateThrottle, UserRateThrottle


@pytest.fixture
def rate(settings):
    def set_rate(scope, value):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {scope: value}}

    return set_rate


def user_request(pk=1):
    return SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=pk), auth=None, META={})


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def attempt(clock, request=None, throttle_class=UserRateThrottle):
    throttle = throttle_class()
    throttle.timer = clock
    return throttle.allow_request(request or user_request(), None), throttle


def test_the_limit_holds_within_a_window_and_across_its_boundary(rate):
    rate("user", "10/minute")
    clock = Clock(6000.0)  # the start of a minute
    assert [attempt(clock)[0] for _ in range(10)] == [True] * 10
    assert attempt(clock)[0] is False
    clock.now = 6059.9
    assert attempt(clock)[0] is False
    clock.now = 6060.5  # a new fixed window, but the last minute still holds 10 requests
    assert attempt(clock)[0] is False
    clock.now = 6090.0  # half of the previous window is inside the sliding one: it weighs 5
    assert [attempt(clock)[0] for _ in range(6)] == [True] * 5 + [False]


def test_retry_after_is_when_the_next_request_fits(rate):
    rate("user", "10/minute")
    clock = Clock(6000.0)
    for _ in range(10):
        attempt(clock)
    clock.now = 6020.0
    allowed, throttle = attempt(clock)
    wait = throttle.wait()
    assert not allowed and 40 < wait <= 60 + 6
    clock.now = 6020.0 + wait - 1
    assert attempt(clock)[0] is False
    clock.now = 6020.0 + wait + 0.01
    assert attempt(clock)[0] is True


def test_refused_requests_do_not_count(rate):
    rate("user", "2/minute")
    clock = Clock(6000.0)
    assert [attempt(clock)[0] for _ in range(50)] == [True, True] + [False] * 48
    clock.now = 6120.0  # two windows later: the slate is clean
    assert [attempt(clock)[0] for _ in range(3)] == [True, True, False]


def test_users_are_counted_apart_and_a_missing_rate_turns_it_off(rate):
    rate("user", "1/minute")
    clock = Clock(6000.0)
    assert attempt(clock, user_request(1))[0] and attempt(clock, user_request(2))[0]
    assert attempt(clock, user_request(1))[0] is False
    rate("user", None)
    assert attempt(clock, user_request(1))[0] is True


def test_a_rate_of_zero_refuses_without_a_retry_time(rate):
    rate("user", "0/minute")
    allowed, throttle = attempt(Clock(6000.0))
    assert not allowed and throttle.wait() is None


@pytest.mark.django_db
def test_the_key_throttle_counts_keys_apart_and_ignores_sessions(rate):
    from tests.factories import make_api_key

    rate("api_key", "1/minute")
    clock = Clock(6000.0)
    first, second = make_api_key().api_key, make_api_key().api_key
    keyed = [SimpleNamespace(user=key.owner, auth=key, META={}) for key in (first, second, first)]
    assert [attempt(clock, request, ApiKeyRateThrottle)[0] for request in keyed] == [True, True, False]
    assert all(attempt(clock, user_request(), ApiKeyRateThrottle)[0] for _ in range(3))


def test_a_window_is_one_number_however_many_requests_it_counts(rate):
    rate("user", "1000000/hour")
    clock = Clock(7200.0)
    for _ in range(5000):
        attempt(clock)
    assert cache.get("throttle_user_1") == (2.0, 0, 5000)  # (window, previous, current): not 5000 times
