"""System checks on the feeds settings: a Warning when production may fetch local addresses, an
Error when one poll (its feed and its pages, each taking its whole deadline) could outlive
django-q2's task timeout, or when the poll interval is not positive."""

from collections.abc import Sequence

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Warning, register

from feeds.conf import feeds_settings
from publishing.conf import publishing_settings


@register()
def check_feed_settings(app_configs: Sequence[AppConfig] | None, **kwargs: object) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if not feeds_settings.DEBUG and feeds_settings.FEEDS_ALLOW_LOCAL_ADDRESSES:
        messages.append(Warning(
            "FEEDS_ALLOW_LOCAL_ADDRESSES is on while DEBUG is off: tenants' feeds may reach loopback, private "
            "and cloud metadata addresses.", hint="Turn it off in production.", id="feeds.W001",
        ))
    longest = float(feeds_settings.FEEDS_FETCH_DEADLINE_SECONDS) * (1 + int(feeds_settings.FEEDS_PAGES_PER_POLL))
    if longest >= publishing_settings.PUBLISH_TASK_TIMEOUT_SECONDS:
        messages.append(Error(
            f"A feed poll can run {longest:g} s (FEEDS_FETCH_DEADLINE_SECONDS x (1 + FEEDS_PAGES_PER_POLL)), not "
            f"less than the task timeout PUBLISH_TASK_TIMEOUT_SECONDS "
            f"({publishing_settings.PUBLISH_TASK_TIMEOUT_SECONDS} s).",
            hint="Lower the deadline or the pages per poll, or raise the task timeout.", id="feeds.E001",
        ))
    if not float(feeds_settings.FEEDS_POLL_MINUTES) > 0:
        messages.append(Error(f"FEEDS_POLL_MINUTES is {feeds_settings.FEEDS_POLL_MINUTES!r}; it must be positive.",
                              id="feeds.E002"))
    return messages
