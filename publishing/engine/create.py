"""Sending a claimed pin to Pinterest: pace, create, decide on the answer.

Pinterest's create-pin call has no idempotency key. A definite answer decides: 201 ->
``published``; 400/403/404 -> ``error`` with Pinterest's message; 401 -> ``error`` and the
connection inactive; 429 -> wait (Retry-After or backoff) and try again a few times. An
unknown outcome (read timeout, reset after sending, 5xx) goes to ``reconcile``: look,
never post again. The call never runs inside a transaction.
"""

import logging
from dataclasses import replace
from datetime import timedelta
from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from pinterest.errors import (
    ConnectionRefreshFailing,
    ConnectionUnusable,
    PinterestAuthError,
    PinterestConnectionError,
    PinterestError,
    PinterestRateLimitError,
    PinterestUploadRefused,
)
from pinterest.models import PinterestConnection
from pinterest.services.health import connection_spam_block
from pinterest.services.pacing import (
    connection_defer_publishing,
    connection_next_publish_at,
    connection_wait_for_publish_slot,
    publish_interval,
)
from pinterest.services.tokens import connection_mark_inactive
from publishing.conf import publishing_settings
from publishing.engine import audit, lease, outcome, reconcile, video
from publishing.engine.batches import pins_publish_bulk
from publishing.engine.context import Context, Patience, context_for
from publishing.engine.payload import PinCreatePayload, Unpublishable, require_cover_file
from publishing.engine.results import (
    MSG_ACCOUNT_WAITS,
    MSG_HANDED_OFF,
    MSG_NO_CONNECTION,
    MSG_NOT_CREATED,
    MSG_NOT_HANDED_OFF,
    MSG_UNEXPECTED,
    MSG_UNEXPECTED_SENT,
    PinValidationError,
    PublishResult,
    Stop,
    refusal,
)
from publishing.models import MediaState, Pin, PinKind, PinStatus, PublishTrigger
from publishing.rules import publish_problem
from publishing.selectors import pins_with_relations

logger = logging.getLogger(__name__)

def pin_validate_for_publish(*, pin: Pin) -> PinterestConnection:
    """Raise PinValidationError with the first rule the pin breaks (``publishing.rules``);
    else return the account it publishes with."""
    problem = publish_problem(pin)
    connection = pin.project.pinterest_connection
    if problem or connection is None:
        name, message = problem or ("project", MSG_NO_CONNECTION)
        raise PinValidationError(message, field=name)
    return connection


def pin_publish(
    *, pin_id: UUID | str, trigger: str = PublishTrigger.MANUAL, user: User | None = None
) -> PublishResult:
    """Publish one pin now, for a person waiting on the answer (the API's publish-now).

    The person never waits longer than ``PUBLISH_NOW_MAX_WAIT_SECONDS`` in all for the account's
    pacing slot, Pinterest's rate limits or a video's processing: a web thread is shared by every
    tenant. What would wait longer is handed to the dispatchers as a batch of one, as a bulk
    publish's pins are, and the result says so with ``batch_id`` and ``expected_at`` (the
    account's next slot, or now). Decided per case:

    - an account that cannot publish for a while whatever anyone waits (inactive or to be
      reconnected, spam blocked for Pinterest's cool-down) is refused up front with the reason
      (PinValidationError): a person must act, and a blocked account must not be pushed;
    - an account whose next slot is further off than the bound (Pinterest's Retry-After moved
      it, or the pins before this one take the slots) is handed off before the claim: nothing
      is claimed, nothing sent, the pin keeps its status;
    - a wait that grows past the bound after the claim (a 429 with a long Retry-After, backoffs
      that add up, other publishers taking the slot meanwhile, a 429 on a video's media call, a
      video Pinterest is still processing) gives the pin back untouched, then hands it off; a
      video keeps its media, and the dispatcher goes on with the same upload.

    So a request that stops waiting never leaves the pin ``publishing``, and whoever publishes it
    later claims it again by compare-and-set, as for any pin: exactly once holds. A pin given back
    whose batch cannot be made (the database failing, the pin deleted meanwhile) is answered with
    ``MSG_NOT_HANDED_OFF`` (not queued: publish it again), never a server error.

    Raises Pin.DoesNotExist, PinValidationError (nothing changed, nothing called) and
    PinNotPublishable (already publishing or published). Any answer from Pinterest is returned
    as a PublishResult (``success`` false with ``error`` on refusal).
    """
    pin = pins_with_relations().get(pk=pin_id)
    connection = pin_validate_for_publish(pin=pin)
    if pin.status not in Pin.PUBLISHABLE_STATUSES:
        raise refusal(pin.pk)
    patience = Patience(seconds=float(publishing_settings.PUBLISH_NOW_MAX_WAIT_SECONDS))
    slot = connection_next_publish_at(connection_id=connection.pk)
    if slot is not None and not patience.allows((slot - timezone.now()).total_seconds()):
        why = MSG_ACCOUNT_WAITS.format(account=connection, at=slot)
        return _hand_off(pin=pin, connection_id=connection.pk, trigger=trigger, user=user, why=why)
    if not lease.claim(pin_id=pin.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=timezone.now()):
        raise refusal(pin.pk)
    # Publish what was claimed: the pin may have been edited between the read and the claim.
    pin = pins_with_relations().get(pk=pin.pk)
    try:
        context = context_for(pin_validate_for_publish(pin=pin))
    except ConnectionRefreshFailing as exc:
        # Not the pin's fault and not for good: it goes back and publishes once Pinterest answers.
        return outcome.release(pin=pin, note=str(exc), stop=Stop.REFRESH_FAILING)
    except (PinValidationError, ConnectionUnusable) as exc:
        return outcome.finish(pin=pin, status=PinStatus.ERROR, error=str(exc))
    context.patience = patience
    result = publish_claimed(pin=pin, trigger=trigger, context=context)
    if result.too_long_to_wait:
        return _hand_off(pin=pin, connection_id=context.connection.pk, trigger=trigger, user=user,
                         why=result.error, given_back=True)
    return result


def _hand_off(
    *, pin: Pin, connection_id: int, trigger: str, user: User | None, why: str, given_back: bool = False
) -> PublishResult:
    """The pin, which this caller does not hold, goes to the dispatchers as a batch of one (whatever
    became of it meanwhile, the batch records: published by someone else, a rule broken). The batch
    is made whole or not at all (a savepoint). ``given_back``: this request claimed the pin and
    released it, so a batch that cannot be made is answered (not queued: publish it again) rather
    than raised; before the claim nothing changed, and the failure is the request's."""
    try:
        with transaction.atomic():
            batch = pins_publish_bulk(tenant=pin.project.tenant, pin_ids=[pin.pk], trigger=trigger, user=user)
    except Exception:
        if not given_back:
            raise
        logger.exception("pin %s was given back but could not be handed to the dispatchers", pin.pk)
        status = Pin.objects.filter(pk=pin.pk).values_list("status", flat=True).first() or "deleted"
        return PublishResult(pin_id=pin.pk, success=False, status=status, error=MSG_NOT_HANDED_OFF.format(why=why))
    now = timezone.now()
    slot = connection_next_publish_at(connection_id=connection_id)
    expected = slot if slot is not None and slot > now else now
    status = Pin.objects.filter(pk=pin.pk).values_list("status", flat=True).first() or pin.status
    return PublishResult(
        pin_id=pin.pk, success=False, status=status, error=MSG_HANDED_OFF.format(why=why, at=expected),
        batch_id=batch.pk, expected_at=expected,
    )


def _too_long_to_wait(*, pin: Pin, why: str) -> PublishResult:
    """A person would wait past ``PUBLISH_NOW_MAX_WAIT_SECONDS``: the pin goes back untouched (for
    ``pin_publish`` to hand on), never left ``publishing``."""
    return replace(outcome.release(pin=pin, note=why), too_long_to_wait=True)


def publish_claimed(
    *, pin: Pin, trigger: str, context: Context, release_when_stopped: bool = False, slot_taken: bool = False
) -> PublishResult:
    """Publish a pin this caller holds. Never raises: whatever goes wrong stays with this pin.

    A rule the pin breaks, or an image gone from storage, ends it in ``error`` with a message a
    person can act on. An unexpected exception is logged with the pin id and a traceback; the
    pin ends ``error`` when nothing was sent, and stays ``publishing`` for the sweep's look
    (after its lease) when a create may have reached Pinterest. ``release_when_stopped``: a
    pin Pinterest cannot take now (rate limit, unreachable) goes back on the schedule instead
    of to ``error`` (the sweep; a person publishing now is told instead). ``slot_taken``: the
    caller already holds the account's pacing slot (the dispatcher); a 429 then sends the pin
    back with the wait in ``retry_after`` instead of sleeping through it here.
    """
    try:
        try:
            pin_validate_for_publish(pin=pin)
            if pin.kind == PinKind.VIDEO and not (pin.media_state == MediaState.SUCCEEDED and pin.media_id):
                require_cover_file(pin)
                stopped = _prepare_video(pin=pin, context=context, release_when_stopped=release_when_stopped,
                                         slot_taken=slot_taken)
                if stopped is not None:
                    return stopped
                # The wait took the dispatcher's slot's moment away: the create takes a fresh one.
                slot_taken = False
            payload = PinCreatePayload(pin).body()
        except (PinValidationError, Unpublishable) as exc:
            return outcome.finish(pin=pin, status=PinStatus.ERROR, error=str(exc))
        return _create(pin=pin, payload=payload, trigger=trigger, context=context,
                       release_when_stopped=release_when_stopped, slot_taken=slot_taken)
    except Exception:
        logger.exception("publishing pin %s failed unexpectedly", pin.pk)
        return _settle_unexpected(pin)


def _prepare_video(
    *, pin: Pin, context: Context, release_when_stopped: bool, slot_taken: bool
) -> PublishResult | None:
    """Pinterest's media flow for a video pin (``video``); None when the media may be sent, else
    how this publish ended. None of these calls creates a pin, so any trouble is decided at once
    (nothing to look for), the way a create's would be: a 429 sends a dispatcher's pin back with
    the wait, Pinterest unreachable holds the account back for the run."""
    connection = context.connection
    try:
        if not video.media_ready(pin=pin, context=context, release_when_stopped=release_when_stopped):
            return outcome.current_result(pin.pk)
    except video.MediaNotReady as exc:
        return exc.result
    except PinterestRateLimitError as exc:
        if exc.is_spam_block:
            return _spam_blocked(pin=pin, connection=connection, exc=exc)
        wait = exc.retry_after
        if wait is None:
            wait = publishing_settings.PUBLISH_RATE_LIMIT_BACKOFF_SECONDS
        if slot_taken:
            return _sent_back_rate_limited(pin=pin, connection=connection, exc=exc, wait=wait)
        connection_defer_publishing(connection_id=connection.pk, until=timezone.now() + timedelta(seconds=wait))
        if context.patience is not None:
            # A person's publish: not the pin's fault, handed on to publish when the account may.
            return _too_long_to_wait(pin=pin, why=f"Rate limited by Pinterest: {exc.user_message}")
        return _cannot_take_now(pin=pin, message=f"Rate limited by Pinterest: {exc.user_message}",
                                release=release_when_stopped, stop=Stop.RATE_LIMITED)
    except PinterestAuthError as exc:
        return _token_rejected(pin=pin, connection=connection, exc=exc)
    except PinterestError as exc:
        doing = video.STEPS.get(getattr(exc, "media_step", ""), "Could not send the video to Pinterest")
        if exc.outcome_unknown or isinstance(exc, PinterestConnectionError):
            return _cannot_take_now(pin=pin, message=f"{doing}: {exc.user_message}",
                                    release=release_when_stopped, stop=Stop.UNREACHABLE)
        if isinstance(exc, PinterestUploadRefused):
            doing = "Pinterest's upload host refused the video"
        return outcome.finish(pin=pin, status=PinStatus.ERROR, error=f"{doing}: {exc.user_message}")
    return None


def _spam_blocked(*, pin: Pin, connection: PinterestConnection, exc: PinterestRateLimitError) -> PublishResult:
    """Pinterest's anti-spam system, not a rate limit (its own quickstart code treats it apart):
    never retried in a loop. The account cools down and its pins wait."""
    until = connection_spam_block(connection_id=connection.pk, exc=exc)
    return _cannot_take_now(
        pin=pin, release=True, stop=Stop.SPAM_BLOCKED,
        message=f"Pinterest blocked {connection} for suspected spam ({exc.user_message}); "
        f"its pins wait until {until:%Y-%m-%d %H:%M} UTC",
    )


def _sent_back_rate_limited(
    *, pin: Pin, connection: PinterestConnection, exc: PinterestRateLimitError, wait: float
) -> PublishResult:
    """A dispatcher never sleeps on one account: the account waits in the database (every
    publisher holds back) and the pin goes back with the wait; the dispatcher counts the retries."""
    connection_defer_publishing(connection_id=connection.pk, until=timezone.now() + timedelta(seconds=wait))
    return outcome.release(
        pin=pin, note=f"Rate limited by Pinterest: {exc.user_message}", stop=Stop.RATE_LIMITED, retry_after=wait,
    )


def _token_rejected(*, pin: Pin, connection: PinterestConnection, exc: PinterestAuthError) -> PublishResult:
    """A 401: the connection is inactive until reconnected, and the pin ends in ``error`` saying so."""
    error = f"Pinterest rejected the access token of {connection}: {exc.user_message}"
    connection_mark_inactive(connection_id=connection.pk, error=error)
    return outcome.finish(pin=pin, status=PinStatus.ERROR, error=error, stop=Stop.CONNECTION_REJECTED)


def _settle_unexpected(pin: Pin) -> PublishResult:
    try:
        if audit.create_maybe_sent(pin) is None:
            return outcome.finish(pin=pin, status=PinStatus.ERROR, error=MSG_UNEXPECTED.format(pin_id=pin.pk))
    except Exception:
        logger.exception("pin %s: could not record the unexpected failure; its lease will expire", pin.pk)
    return PublishResult(pin_id=pin.pk, success=False, status=PinStatus.PUBLISHING, error=MSG_UNEXPECTED_SENT)


def _cannot_take_now(*, pin: Pin, message: str, release: bool, stop: str) -> PublishResult:
    """Pinterest cannot take the pin now (not the pin's fault): back on the schedule when
    ``release``, else ``error`` with the message (a person is waiting)."""
    if release:
        return outcome.release(pin=pin, note=message, stop=stop)
    return outcome.finish(pin=pin, status=PinStatus.ERROR, error=message, stop=stop)


def _create(
    *, pin: Pin, payload: dict, trigger: str, context: Context, release_when_stopped: bool, slot_taken: bool
) -> PublishResult:
    """Pace, create, decide. Every Pinterest answer becomes a PublishResult."""
    connection = context.connection
    interval = publish_interval()
    retries_left = publishing_settings.PUBLISH_RATE_LIMIT_RETRIES
    backoff = publishing_settings.PUBLISH_RATE_LIMIT_BACKOFF_SECONDS
    while True:
        if not slot_taken and not connection_wait_for_publish_slot(
            connection_id=connection.pk, sleep=context.wait, max_wait=context.max_wait()
        ):
            slot = connection_next_publish_at(connection_id=connection.pk) or timezone.now()
            return _too_long_to_wait(pin=pin, why=MSG_ACCOUNT_WAITS.format(account=connection, at=slot))
        if not lease.renew(pin):
            # While this caller waited (pacing, a 429), its lease expired and a sweep took the
            # pin over (it looks at the board and decides); calling Pinterest now could duplicate it.
            return outcome.current_result(pin.pk)
        attempt = audit.attempt_start(pin=pin, trigger=trigger)
        if interval > 0:
            # The next create keeps the interval from when this one actually leaves, not from its
            # slot (a busy machine leaves late). Always the same statement, so the cost per pin is
            # the same whether or not this one was late; it only ever moves the slot later.
            connection_defer_publishing(
                connection_id=connection.pk, until=attempt.started_at + timedelta(seconds=interval)
            )
        try:
            created = context.client.create_pin(payload)
        except PinterestRateLimitError as exc:
            audit.attempt_end(attempt, outcome=audit.Outcome.RATE_LIMITED, exc=exc)
            wait = exc.retry_after if exc.retry_after is not None else backoff
            backoff *= 2
            can_wait = wait <= publishing_settings.PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS
            if exc.is_spam_block:
                return _spam_blocked(pin=pin, connection=connection, exc=exc)
            if slot_taken:
                return _sent_back_rate_limited(pin=pin, connection=connection, exc=exc, wait=wait)
            if retries_left > 0 and can_wait and context.may_wait(wait):
                retries_left -= 1
                # Every publisher of this account holds back, and this one waits itself.
                connection_defer_publishing(connection_id=connection.pk, until=timezone.now() + timedelta(seconds=wait))
                context.wait(wait)
                continue
            if retries_left > 0 and context.patience is not None:
                # Longer than a person waits: the account holds back as Pinterest asked, the pin is handed on.
                connection_defer_publishing(connection_id=connection.pk, until=timezone.now() + timedelta(seconds=wait))
                return _too_long_to_wait(pin=pin, why=f"Rate limited by Pinterest: {exc.user_message}")
            return _cannot_take_now(pin=pin, message=f"Rate limited by Pinterest: {exc.user_message}",
                                    release=release_when_stopped, stop=Stop.RATE_LIMITED)
        except PinterestAuthError as exc:
            audit.attempt_end(attempt, outcome=audit.Outcome.FAILED, exc=exc)
            return _token_rejected(pin=pin, connection=connection, exc=exc)
        except PinterestConnectionError as exc:
            # Never reached Pinterest: nothing was created.
            audit.attempt_end(attempt, outcome=audit.Outcome.FAILED, exc=exc)
            return _cannot_take_now(pin=pin, message=f"Could not reach Pinterest: {exc.user_message}",
                                    release=release_when_stopped, stop=Stop.UNREACHABLE)
        except PinterestError as exc:
            if not exc.outcome_unknown:
                audit.attempt_end(attempt, outcome=audit.Outcome.FAILED, exc=exc)
                return outcome.finish(pin=pin, status=PinStatus.ERROR, error=exc.user_message)
            audit.attempt_end(attempt, outcome=audit.Outcome.UNKNOWN, exc=exc)
            # Pinterest may still be finishing a request whose answer we lost: give it a
            # moment before looking, so a pin still being created is not missed.
            context.sleep(publishing_settings.PUBLISH_RECONCILE_GRACE_SECONDS)
            return reconcile.look_and_decide(
                pin=pin, payload=payload, sent_at=attempt.started_at, context=context, trigger=trigger,
                absent_error=MSG_NOT_CREATED.format(reason=exc.user_message),
            )
        pinterest_pin_id = str(created.get("id", ""))
        audit.attempt_end(attempt, outcome=audit.Outcome.SUCCESS, request_id=context.client.last_request_id,
                          pinterest_pin_id=pinterest_pin_id, http_status=201)
        return outcome.record_created(pin=pin, pinterest_pin_id=pinterest_pin_id)
