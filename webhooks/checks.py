"""System checks on the webhooks settings.

A Warning when production (DEBUG off) may deliver to local addresses; an Error when a
delivery task could outlive django-q2's task timeout.
"""

from django.conf import settings
from django.core.checks import Error, Warning, register

from publishing.conf import publishing_settings
from webhooks.conf import webhooks_settings


@register()
def check_webhook_settings(app_configs, **kwargs):
    messages = []
    if not settings.DEBUG and webhooks_settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES:
        messages.append(
            Warning(
                "WEBHOOKS_ALLOW_LOCAL_ADDRESSES is on while DEBUG is off: tenants' webhooks may reach loopback, "
                "private and cloud metadata addresses.",
                hint="Turn it off in production; it exists for development and tests.",
                id="webhooks.W001",
            )
        )
    # The last claim may start just before the budget ends, and every delivery of it may take
    # both timeouts: all of that must end before django-q2 kills the task.
    longest = webhooks_settings.WEBHOOKS_TASK_BUDGET_SECONDS + webhooks_settings.WEBHOOKS_CLAIM_BATCH * (
        webhooks_settings.WEBHOOKS_CONNECT_TIMEOUT_SECONDS + webhooks_settings.WEBHOOKS_READ_TIMEOUT_SECONDS
    )
    if longest >= publishing_settings.PUBLISH_TASK_TIMEOUT_SECONDS:
        messages.append(
            Error(
                f"A webhook delivery task can run {longest:g} s (WEBHOOKS_TASK_BUDGET_SECONDS + WEBHOOKS_CLAIM_BATCH x "
                f"both timeouts), not less than the task timeout PUBLISH_TASK_TIMEOUT_SECONDS "
                f"({publishing_settings.PUBLISH_TASK_TIMEOUT_SECONDS} s).",
                hint="Lower the budget, the batch or the timeouts, or raise the task timeout.",
                id="webhooks.E001",
            )
        )
    return messages
