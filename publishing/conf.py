"""The publishing app's settings, read here and nowhere else.

``pinpublisher/settings.py`` reads each name from the environment (``None`` when unset);
the defaults live here, once (the task timeout's in ``pinpublisher.task_times``, which
``settings.py`` needs as it loads). Asking for a name this app does not own raises
AttributeError, so a typo fails loudly (as django-oauth-toolkit's ``oauth2_settings`` does).
Values are read on every access, so ``override_settings`` and pytest-django's ``settings``
fixture work as usual.
"""

from typing import Any

from django.conf import settings

from pinpublisher.task_times import TASK_RETRY_MARGIN_SECONDS, TASK_TIMEOUT_SECONDS

#: The start of the subject of every email to a tenant's owners (publishing's and webhooks').
SUBJECT_PREFIX = "[pinpublisher] "

DEFAULTS = {
    #: A pin still ``publishing`` this long after its lease started is reconciled by the sweep.
    "PUBLISH_LEASE_SECONDS": 600,
    "PUBLISH_SWEEP_MINUTES": 15,
    # 429 handling: retries after the first refusal; the wait is Retry-After when Pinterest
    # sends it, else the backoff doubled per retry; a Retry-After longer than the cap ends the
    # attempt at once (waiting that long would only hold a worker).
    "PUBLISH_RATE_LIMIT_RETRIES": 3,
    "PUBLISH_RATE_LIMIT_BACKOFF_SECONDS": 2.0,
    "PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS": 120.0,
    #: Clock skew allowed between this host and Pinterest when matching a pin after a lost answer.
    "PUBLISH_RECONCILE_SKEW_SECONDS": 120.0,
    #: After a lost answer, wait this long before looking: Pinterest may still be finishing the create.
    "PUBLISH_RECONCILE_GRACE_SECONDS": 5.0,
    #: django-q2's task timeout; it must exceed the longest task (a sweep keeps within its budget).
    "PUBLISH_TASK_TIMEOUT_SECONDS": TASK_TIMEOUT_SECONDS,
    #: A sweep stops claiming when this much of its task's time is used. None: the task
    #: timeout less 90 s (at least 30 s).
    "PUBLISH_SWEEP_BUDGET_SECONDS": None,
    #: Calls to Pinterest one dispatcher (a sweep, a runner) makes at once, on as many threads
    #: (PostgreSQL only). Each thread holds one database connection and the dispatcher one more
    #: (a runner's heartbeat one more): a publishing process holds at most this + 2 (+ 1 for
    #: django-q2's own bookkeeping).
    "PUBLISH_CALLS_IN_FLIGHT": 8,
    #: Runner tasks (publishing on time) at once across every cluster; each makes up to
    #: PUBLISH_CALLS_IN_FLIGHT calls at once and occupies one django-q2 worker while it runs.
    "PUBLISH_RUNNERS": 2,
    #: One runner task's turn; a runner with work left hands its place to a continuation task.
    "PUBLISH_RUNNER_TURN_SECONDS": 60,
    #: A runner renews its place this often while it works; a place not renewed for 5 beats is
    #: free again (its runner died) and the next beat of any live runner starts a replacement.
    "PUBLISH_RUNNER_HEARTBEAT_SECONDS": 2.0,
    #: Runners start this long before a pin's scheduled time and wait for it (must exceed the
    #: one-minute schedule's period, about 90 s with django-q2's 30 s scheduler cycle).
    "PUBLISH_LOOKAHEAD_SECONDS": 120,
    "PUBLIC_MEDIA_BASE_URL": "",
    #: The most pixels (width x height) an image may have, on every way in and at publish. Pinterest
    #: shows pins at about 1000x1500 px, and a small file can hold a huge bitmap; well under Pillow's
    #: decompression-bomb limit (89 megapixels).
    "PIN_IMAGE_MAX_PIXELS": 40_000_000,
    #: The most pixels of an image Pinterest takes only once converted (WebP, GIF: uploaded images
    #: go to Pinterest as JPEG or PNG). Converting decodes it when published, at about 18 bytes a
    #: pixel for a WebP: 2 megapixels keep a publishing process under 150 MB.
    "PIN_IMAGE_CONVERTED_MAX_PIXELS": 2_000_000,
    #: The largest video a pin may carry (Pinterest's own maximum is 2 GB).
    "PIN_VIDEO_MAX_BYTES": 200 * 1024 * 1024,
    #: How long a publish waits for Pinterest to process an uploaded video (``GET /v5/media``
    #: polled from 1 s, doubling to 10 s) before the pin is given back with its media kept (the
    #: next turn goes on waiting). Kept well inside the task timeout with a runner's turn.
    "PUBLISH_MEDIA_PROCESSING_BUDGET_SECONDS": 120,
    #: The window every scheduled time must fall in, however it comes in (API, admin, CSV, queue
    #: slots, interval copies): from this long before now (clocks differ a little: a "now" from a
    #: client a few minutes behind is still now) ...
    "PIN_SCHEDULE_MAX_PAST_SECONDS": 300,
    #: ... to this many days ahead (5 years). Also where a queue stops looking for a free slot.
    "PIN_SCHEDULE_MAX_AHEAD_DAYS": 5 * 365 + 1,
    #: The longest a person's publish (the API's publish-now) waits in all for the account's pacing
    #: slot, Pinterest's rate limits (429) and a video's processing. When it would wait longer, the
    #: pin goes to the dispatchers as a batch of one (202 with the batch and when it is expected),
    #: so no web thread is held for Pinterest's Retry-After.
    "PUBLISH_NOW_MAX_WAIT_SECONDS": 15.0,
}

#: Django's own settings this app reads, as they are (Django gives each a value, so no default here).
DJANGO_NAMES = frozenset({"AUTH_USER_MODEL"})


class PublishingSettings:
    def __getattr__(self, name: str) -> Any:
        if name in DJANGO_NAMES:
            return getattr(settings, name)
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
