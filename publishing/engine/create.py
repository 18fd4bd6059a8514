"""Sending a claimed pin to Pinterest: pace, create, decide on the answer.

Pinterest's create-pin call has no idempotency key. A definite answer decides: 201 ->
``published``; 400/403/404 -> ``error`` with Pinterest's message; 401 -> ``error`` and the
connection inactive; 429 -> wait (Retry-After or backoff) and try again a few times. An
unknown outcome (read timeout, reset after sending, 5xx) goes to ``reconcile``: look,
never post again. The call never runs inside a transaction.
"""

import logging
from datetime import timedelta
from functools import partial
from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from audit import record as audit_trail
from pinpublisher import logs
from pinterest.errors import ConnectionRefreshFailing, ConnectionUnusable, PinterestError
from pinterest.models import PinterestConnection
from pinterest.services.pacing import (
    connection_defer_publishing,
    connection_next_publish_at,
    connection_wait_for_publish_slot,
    publish_interval,
)
from pinterest.services.verdicts import Kind, verdict_for
from publishing.conf import publishing_settings
from publishing.engine import audit, lease, outcome, reconcile, verdicts, video
from publishing.engine.batches import pins_publish_bulk
from publishing.engine.context import Caller, Context, Patience, context_for
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
    # A person's (or key's) request to publish now; what becomes of the pin is its attempts'.
    audit_trail.record("pin.publish_now", pin, changes={"publish_now": [None, trigger]})
    caller = Caller.person(Patience(seconds=float(publishing_settings.PUBLISH_NOW_MAX_WAIT_SECONDS)))
    slot = connection_next_publish_at(connection_id=connection.pk)
    if slot is not None and not caller.may_wait((slot - timezone.now()).total_seconds()):
        why = MSG_ACCOUNT_WAITS.format(account=connection, at=slot)
        return _hand_off(pin=pin, connection_id=connection.pk, trigger=trigger, user=user, why=why)
    if not lease.claim(pin_id=pin.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=timezone.now()):
        raise refusal(pin.pk)
    # Publish what was claimed: the pin may have been edited between the read and the claim. It is
    # read and checked once from here on.
    pin = pins_with_relations().get(pk=pin.pk)
    try:
        context = context_for(pin_validate_for_publish(pin=pin))
    except ConnectionRefreshFailing as exc:
        # Not the pin's fault and not for good: it goes back and publishes once Pinterest answers.
        return outcome.release(pin=pin, note=str(exc), stop=Stop.REFRESH_FAILING)
    except (PinValidationError, ConnectionUnusable) as exc:
        return outcome.finish(pin=pin, status=PinStatus.ERROR, error=str(exc))
    result = _publish_checked(pin=pin, trigger=trigger, context=context, caller=caller)
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


def publish_claimed(*, pin: Pin, trigger: str, context: Context, caller: Caller) -> PublishResult:
    """Publish a pin a dispatcher holds: checked against the rules here (once, after its claim),
    then sent (``_publish_checked``). Never raises: whatever goes wrong stays with this pin."""
    try:
        pin_validate_for_publish(pin=pin)
    except PinValidationError as exc:
        return outcome.finish(pin=pin, status=PinStatus.ERROR, error=str(exc))
    except Exception:
        return _settle_unexpected(pin)
    return _publish_checked(pin=pin, trigger=trigger, context=context, caller=caller)


def _publish_checked(*, pin: Pin, trigger: str, context: Context, caller: Caller) -> PublishResult:
    """``_publish_held``, every log line on the way naming the pin, its connection and tenant."""
    connection = context.connection
    with logs.bound(pin=pin.pk, connection=connection.pk, tenant=connection.tenant_id):
        return _publish_held(pin=pin, trigger=trigger, context=context, caller=caller)


def _publish_held(*, pin: Pin, trigger: str, context: Context, caller: Caller) -> PublishResult:
    """Publish a pin this caller holds and has checked against the rules. Never raises.

    An image gone from storage ends it in ``error`` with a message a person can act on. An
    unexpected exception is logged with the pin id and a traceback; the pin ends ``error`` when
    nothing was sent, and stays ``publishing`` for the sweep's look (after its lease) when a
    create may have reached Pinterest. What waits, and what Pinterest cannot take now, is
    decided by ``caller`` (``context.Caller``).
    """
    try:
        try:
            if pin.kind == PinKind.VIDEO and not (pin.media_state == MediaState.SUCCEEDED and pin.media_id):
                require_cover_file(pin)
                stopped = _prepare_video(pin=pin, context=context, caller=caller)
                if stopped is not None:
                    return stopped
                # The wait took the dispatcher's slot's moment away: the create takes a fresh one.
                caller = caller.slot_spent()
            payload = PinCreatePayload(pin).body()
        except (PinValidationError, Unpublishable) as exc:
            return outcome.finish(pin=pin, status=PinStatus.ERROR, error=str(exc))
        return _create(pin=pin, payload=payload, trigger=trigger, context=context, caller=caller)
    except Exception:
        return _settle_unexpected(pin)


def _prepare_video(*, pin: Pin, context: Context, caller: Caller) -> PublishResult | None:
    """Pinterest's media flow for a video pin (``video``); None when the media may be sent, else
    how this publish ended."""
    try:
        if not video.media_ready(pin=pin, context=context, caller=caller):
            return outcome.current_result(pin.pk)
    except video.MediaNotReady as exc:
        return exc.result
    except video.StillProcessing as exc:
        return verdicts.waits_too_long(pin=pin, caller=caller, why=str(exc))
    except PinterestError as exc:
        verdict = verdict_for(exc, backoff=publishing_settings.PUBLISH_RATE_LIMIT_BACKOFF_SECONDS)
        return verdicts.after_media_call(pin=pin, verdict=verdict, exc=exc, context=context, caller=caller,
                                         doing=video.doing(exc))
    return None


def _settle_unexpected(pin: Pin) -> PublishResult:
    """Called while handling an unexpected exception: logged with the pin id and its traceback."""
    logger.exception("publishing pin %s failed unexpectedly", pin.pk)
    try:
        if audit.create_maybe_sent(pin) is None:
            return outcome.finish(pin=pin, status=PinStatus.ERROR, error=MSG_UNEXPECTED.format(pin_id=pin.pk))
    except Exception:
        logger.exception("pin %s: could not record the unexpected failure; its lease will expire", pin.pk)
    return PublishResult(pin_id=pin.pk, success=False, status=PinStatus.PUBLISHING, error=MSG_UNEXPECTED_SENT)


def _create(*, pin: Pin, payload: dict, trigger: str, context: Context, caller: Caller) -> PublishResult:
    """Pace, create, decide. Every Pinterest answer becomes a PublishResult."""
    connection = context.connection
    interval = publish_interval()
    retries_left = publishing_settings.PUBLISH_RATE_LIMIT_RETRIES
    backoff = publishing_settings.PUBLISH_RATE_LIMIT_BACKOFF_SECONDS
    # A dispatcher holding the account's slot calls right after its claim, without a wait in
    # between: its young lease is its own without a renewal (``lease.fresh``). Anyone who waited
    # (pacing, a 429, a video's processing) renews, and finds out whether it was taken over.
    waited = not caller.holds_slot
    while True:
        if not caller.holds_slot and not connection_wait_for_publish_slot(
            connection_id=connection.pk, sleep=partial(caller.wait, sleep=context.sleep), max_wait=caller.max_wait()
        ):
            slot = connection_next_publish_at(connection_id=connection.pk) or timezone.now()
            why = MSG_ACCOUNT_WAITS.format(account=connection, at=slot)
            return verdicts.waits_too_long(pin=pin, caller=caller, why=why)
        if (waited or not lease.fresh(pin)) and not lease.renew(pin):
            # While this caller waited (pacing, a 429), its lease expired and a sweep took the
            # pin over (it looks at the board and decides); calling Pinterest now could duplicate it.
            return outcome.current_result(pin.pk)
        # The next create keeps the interval from when this one actually leaves, not from its
        # slot (a busy machine leaves late). Always the same statement, so the cost per pin is
        # the same whether or not this one was late; it only ever moves the slot later.
        attempt = audit.attempt_start_leaving(pin=pin, trigger=trigger, connection_id=connection.pk,
                                              interval=interval)
        try:
            created = context.client.create_pin(payload)
        except PinterestError as exc:
            verdict = verdict_for(exc, backoff=backoff)
            audit.attempt_end(attempt, outcome=verdicts.AUDITED[verdict.kind], exc=exc)
            if verdict.kind == Kind.WAIT and retries_left > 0 and _waits_itself(caller, verdict.wait):
                retries_left -= 1
                backoff *= 2
                # Every publisher of this account holds back, and this one waits itself.
                connection_defer_publishing(connection_id=connection.pk,
                                            until=timezone.now() + timedelta(seconds=verdict.wait))
                caller.wait(verdict.wait, sleep=context.sleep)
                waited = True
                continue
            if verdict.kind == Kind.UNKNOWN:
                # Pinterest may still be finishing a request whose answer we lost: give it a
                # moment before looking, so a pin still being created is not missed.
                context.sleep(publishing_settings.PUBLISH_RECONCILE_GRACE_SECONDS)
                return reconcile.look_and_decide(
                    pin=pin, payload=payload, sent_at=attempt.started_at, context=context, trigger=trigger,
                    absent_error=MSG_NOT_CREATED.format(reason=verdict.message),
                )
            return verdicts.after_create(pin=pin, verdict=verdict, exc=exc, context=context, caller=caller,
                                         retries_left=retries_left)
        pinterest_pin_id = str(created.get("id", ""))
        # Ended with the decision (one statement on PostgreSQL: ``outcome.finish(ended=...)``).
        audit.attempt_end(attempt, outcome=audit.Outcome.SUCCESS, request_id=context.client.last_request_id,
                          pinterest_pin_id=pinterest_pin_id, http_status=201, save=False)
        return outcome.record_created(pin=pin, pinterest_pin_id=pinterest_pin_id, ended=attempt)


def _waits_itself(caller: Caller, seconds: float) -> bool:
    """Whether this caller sleeps through a 429 (a dispatcher holding the account's slot never does)."""
    return (not caller.holds_slot and seconds <= publishing_settings.PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS
            and caller.may_wait(seconds))
