"""The publishing app's settings, read here and nowhere else.

``pinpublisher/settings.py`` reads each name from the environment (``None`` when unset);
the defaults live here, once. Asking for a name this app does not own raises
AttributeError, so a typo fails loudly (as django-oauth-toolkit's ``oauth2_settings`` does).
Values are read on every access, so ``override_settings`` and pytest-django's ``settings``
fixture work as usual.
"""

from django.conf import settings

DEFAULTS = {
    #: A pin still ``publishing`` this long after its lease started is reconciled by the sweep.
    "PUBLISH_LEASE_SECONDS": 600,
    "PUBLISH_SWEEP_MINUTES": 15,
    "PUBLISH_RATE_LIMIT_RETRIES": 3,
    "PUBLISH_RATE_LIMIT_BACKOFF_SECONDS": 2.0,
    "PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS": 120.0,
    "PUBLISH_RECONCILE_SKEW_SECONDS": 120.0,
    "PUBLISH_RECONCILE_GRACE_SECONDS": 5.0,
    "PUBLISH_TASK_TIMEOUT_SECONDS": 600,
    #: None: the task timeout less 90 s (at least 30 s).
    "PUBLISH_SWEEP_BUDGET_SECONDS": None,
    "PUBLISH_SWEEP_MAX_PARALLEL": 8,
    "PUBLIC_MEDIA_BASE_URL": "",
}

#: django-q2 retries a task this long after its timeout (Q_CLUSTER["retry"] is built from it).
TASK_RETRY_MARGIN_SECONDS = 120


class PublishingSettings:
    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(f"{name} is not a setting of the publishing app")
        value = getattr(settings, name, None)
        if value is None:
            value = DEFAULTS[name]
        if name == "PUBLISH_SWEEP_BUDGET_SECONDS" and value is None:
            value = max(30, self.PUBLISH_TASK_TIMEOUT_SECONDS - 90)
        return value

    @property
    def task_retry_seconds(self) -> int:
        """When django-q2 hands a task that has not finished to another worker."""
        return self.PUBLISH_TASK_TIMEOUT_SECONDS + TASK_RETRY_MARGIN_SECONDS


publishing_settings = PublishingSettings()
