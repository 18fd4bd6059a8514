"""System checks on the webhooks settings.

A Warning when production (DEBUG off) may deliver to local addresses; an Error when a
delivery task could outlive django-q2's task timeout, or when no delivery has time to be sent.
"""

from collections.abc import Sequence

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Warning, register

from publishing.conf import publishing_settings
from webhooks.conf import webhooks_settings


@register()
def check_webhook_settings(app_configs: Sequence[AppConfig] | None, **kwargs: object) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if not webhooks_settings.DEBUG and webhooks_settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES:
        messages.append(
            Warning(
                "WEBHOOKS_ALLOW_LOCAL_ADDRESSES is on while DEBUG is off: tenants' webhooks may reach loopback, "
                "private and cloud metadata addresses.",
                hint="Turn it off in production; it exists for development and tests.",
                id="webhooks.W001",
            )
        )
    # The last claim may start just before the budget ends, and every delivery of it may take
    # its whole deadline: all of that must end before django-q2 kills the task.
    deadline = webhooks_settings.WEBHOOKS_DELIVERY_DEADLINE_SECONDS
    longest = webhooks_settings.WEBHOOKS_TASK_BUDGET_SECONDS + webhooks_settings.WEBHOOKS_CLAIM_BATCH * deadline
    if longest >= publishing_settings.PUBLISH_TASK_TIMEOUT_SECONDS:
        messages.append(
            Error(
                f"A webhook delivery task can run {longest:g} s (WEBHOOKS_TASK_BUDGET_SECONDS + WEBHOOKS_CLAIM_BATCH x "
                f"WEBHOOKS_DELIVERY_DEADLINE_SECONDS), not less than the task timeout PUBLISH_TASK_TIMEOUT_SECONDS "
                f"({publishing_settings.PUBLISH_TASK_TIMEOUT_SECONDS} s).",
                hint="Lower the budget, the batch or the deadline, or raise the task timeout.",
                id="webhooks.E001",
            )
        )
    if not deadline > 0:
        messages.append(
            Error(
                f"WEBHOOKS_DELIVERY_DEADLINE_SECONDS is {deadline!r}: every delivery would fail before it is sent.",
                hint="Set a few seconds (the default is 10).",
                id="webhooks.E002",
            )
        )
    return messages
