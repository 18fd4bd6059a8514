"""The feeds app's system checks: local addresses in production, a poll that could outlive the task."""

from feeds.checks import check_feed_settings


def ids(messages):
    return [message.id for message in messages]


def test_the_defaults_pass(settings):
    settings.DEBUG, settings.FEEDS_ALLOW_LOCAL_ADDRESSES = False, None
    assert check_feed_settings(None) == []


def test_local_addresses_with_debug_off_warn(settings):
    settings.DEBUG, settings.FEEDS_ALLOW_LOCAL_ADDRESSES = False, True
    assert ids(check_feed_settings(None)) == ["feeds.W001"]


def test_a_poll_that_could_outlive_the_task_timeout_is_an_error(settings):
    settings.FEEDS_FETCH_DEADLINE_SECONDS, settings.FEEDS_PAGES_PER_POLL = 60.0, 100
    (error,) = [message for message in check_feed_settings(None) if message.id == "feeds.E001"]
    assert "6060 s" in error.msg


def test_a_poll_interval_that_is_not_positive_is_an_error(settings):
    settings.FEEDS_POLL_MINUTES = 0
    assert "feeds.E002" in ids(check_feed_settings(None))
