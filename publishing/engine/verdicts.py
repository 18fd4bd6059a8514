"""What Pinterest's verdict on a call does to the pin this caller holds: the engine's one map
from a verdict's kind to its action.

``pinterest.services.verdicts`` says what an error means for the account (wait, spam cool-down,
reconnect, unreachable, unknown, give up); this module says what that means for the pin, for a
create, a video's media call and a look at the board, and for whom (``context.Caller``: a person
waiting, or a dispatcher holding the account's slot). Two stops that are no error meet here too:
a wait longer than the caller may wait, and Pinterest unable to take the pin now.
"""

from dataclasses import replace
from datetime import timedelta

from django.utils import timezone

from pinterest.errors import PinterestError
from pinterest.services.health import connection_spam_block
from pinterest.services.pacing import connection_defer_publishing
from pinterest.services.tokens import connection_mark_inactive
from pinterest.services.verdicts import Kind, Verdict
from publishing.engine import audit, outcome
from publishing.engine.context import Caller, Context
from publishing.engine.results import MSG_LOOK_PENDING, UNCHECKED, PublishResult, Stop
from publishing.models import Pin, PinStatus

#: How each verdict on a create is recorded on its PublishAttempt.
AUDITED = {
    Kind.WAIT: audit.Outcome.RATE_LIMITED, Kind.SPAM_COOL_DOWN: audit.Outcome.RATE_LIMITED,
    Kind.UNKNOWN: audit.Outcome.UNKNOWN,
    Kind.RECONNECT: audit.Outcome.FAILED, Kind.UNREACHABLE: audit.Outcome.FAILED, Kind.GIVE_UP: audit.Outcome.FAILED,
}
#: A look at the board that fails for these may succeed later.
PASSING = (Kind.WAIT, Kind.SPAM_COOL_DOWN, Kind.UNREACHABLE, Kind.UNKNOWN)
MSG_RATE_LIMITED = "Rate limited by Pinterest: {message}"
MSG_UPLOAD_REFUSED = "Pinterest's upload host refused the video"


def after_create(
    *, pin: Pin, verdict: Verdict, exc: PinterestError, context: Context, caller: Caller, retries_left: int
) -> PublishResult:
    """A create's definite verdict, once no retry of a 429 is due (``UNKNOWN`` is looked for by the
    caller, never decided here): the pin ends, goes back, or is handed on."""
    stopped = _account_stopped(pin=pin, verdict=verdict, exc=exc, context=context, caller=caller)
    if stopped is not None:
        return stopped
    if verdict.kind == Kind.WAIT:
        why = MSG_RATE_LIMITED.format(message=verdict.message)
        if retries_left > 0 and caller.waits_for_answer:
            # Longer than a person waits: the account holds back as Pinterest asked, the pin is handed on.
            defer(context, seconds=verdict.wait)
            return waits_too_long(pin=pin, caller=caller, why=why)
        return cannot_take_now(pin=pin, caller=caller, message=why, stop=Stop.RATE_LIMITED)
    if verdict.kind == Kind.UNREACHABLE:
        # Never reached Pinterest: nothing was created.
        return cannot_take_now(pin=pin, caller=caller, message=f"Could not reach Pinterest: {verdict.message}",
                               stop=Stop.UNREACHABLE)
    return outcome.finish(pin=pin, status=PinStatus.ERROR, error=verdict.message)


def after_media_call(
    *, pin: Pin, verdict: Verdict, exc: PinterestError, context: Context, caller: Caller, doing: str
) -> PublishResult:
    """A verdict on a video's media call (``doing``: the step, as a person reads it). None of these
    calls creates a pin, so any trouble is decided at once (nothing to look for), the way a create's
    would be: a 429 holds the account back, Pinterest unreachable or silent holds it back for the run."""
    stopped = _account_stopped(pin=pin, verdict=verdict, exc=exc, context=context, caller=caller)
    if stopped is not None:
        return stopped
    if verdict.kind == Kind.WAIT:
        defer(context, seconds=verdict.wait)
        return waits_too_long(pin=pin, caller=caller, why=MSG_RATE_LIMITED.format(message=verdict.message),
                              stop=Stop.RATE_LIMITED)
    if verdict.kind in (Kind.UNREACHABLE, Kind.UNKNOWN):
        return cannot_take_now(pin=pin, caller=caller, message=f"{doing}: {verdict.message}", stop=Stop.UNREACHABLE)
    doing = MSG_UPLOAD_REFUSED if verdict.upload_host else doing
    return outcome.finish(pin=pin, status=PinStatus.ERROR, error=f"{doing}: {verdict.message}")


def after_look(*, pin: Pin, verdict: Verdict, context: Context) -> PublishResult:
    """A look at the board Pinterest did not answer. Passing trouble: the pin stays ``publishing``
    and is looked at again after its lease. A definite refusal (board gone, token rejected):
    looking again would never succeed, so a person is told to look."""
    if verdict.kind in PASSING:
        return PublishResult(pin_id=pin.pk, success=False, status=PinStatus.PUBLISHING, error=MSG_LOOK_PENDING)
    if verdict.kind == Kind.RECONNECT:
        connection_mark_inactive(
            connection_id=context.connection.pk,
            error=f"Pinterest rejected the access token of {context.connection}: {verdict.message}",
        )
    return outcome.finish(
        pin=pin, status=PinStatus.ERROR,
        error=f"{UNCHECKED} ({verdict.message}); look at the board before publishing again",
    )


def _account_stopped(
    *, pin: Pin, verdict: Verdict, exc: PinterestError, context: Context, caller: Caller
) -> PublishResult | None:
    """The verdicts that end a publish the same way after a create or a media call; None for the others.

    - a spam block (Pinterest's anti-spam system, not a rate limit; its own quickstart code treats
      it apart): never retried in a loop; the account cools down and its pins wait;
    - a rejected token (401): the connection is inactive until reconnected, the pin ends in ``error``;
    - a 429 for a dispatcher: it never sleeps on one account; the account waits in the database
      (every publisher holds back) and the pin goes back with the wait (the dispatcher counts retries).
    """
    connection = context.connection
    if verdict.kind == Kind.SPAM_COOL_DOWN:
        until = connection_spam_block(connection_id=connection.pk, exc=exc)
        message = (f"Pinterest blocked {connection} for suspected spam ({verdict.message}); "
                   f"its pins wait until {until:%Y-%m-%d %H:%M} UTC")
        return outcome.release(pin=pin, note=message, stop=Stop.SPAM_BLOCKED)
    if verdict.kind == Kind.RECONNECT:
        error = f"Pinterest rejected the access token of {connection}: {verdict.message}"
        connection_mark_inactive(connection_id=connection.pk, error=error)
        return outcome.finish(pin=pin, status=PinStatus.ERROR, error=error, stop=Stop.CONNECTION_REJECTED)
    if verdict.kind == Kind.WAIT and caller.holds_slot:
        defer(context, seconds=verdict.wait)
        return outcome.release(pin=pin, note=MSG_RATE_LIMITED.format(message=verdict.message),
                               stop=Stop.RATE_LIMITED, retry_after=verdict.wait)
    return None


def defer(context: Context, *, seconds: float) -> None:
    """Every publisher of the account holds back ``seconds``, as Pinterest asked."""
    connection_defer_publishing(connection_id=context.connection.pk, until=timezone.now() + timedelta(seconds=seconds))


def waits_too_long(*, pin: Pin, caller: Caller, why: str, stop: str = "") -> PublishResult:
    """A wait longer than this caller may wait. A person's pin goes back untouched (for
    ``pin_publish`` to hand on), never left ``publishing``; a dispatcher's cannot be taken now."""
    if caller.waits_for_answer:
        return replace(outcome.release(pin=pin, note=why), too_long_to_wait=True)
    return cannot_take_now(pin=pin, caller=caller, message=why, stop=stop)


def cannot_take_now(*, pin: Pin, caller: Caller, message: str, stop: str) -> PublishResult:
    """Pinterest cannot take the pin now (not the pin's fault): back on the schedule for a caller
    that releases it, else ``error`` with the message (a person is told)."""
    if caller.releases_when_stopped:
        return outcome.release(pin=pin, note=message, stop=stop)
    return outcome.finish(pin=pin, status=PinStatus.ERROR, error=message, stop=stop)
