"""The journey of a pin to Pinterest: claim, pace, create, decide, record.

Contract (DESIGN.md, "Pin status"):

- A pin moves into ``publishing`` only by a compare-and-set UPDATE that is
  committed before any HTTP call; the UPDATE stamps ``publishing_started_at``,
  the start of a lease (``PUBLISH_LEASE_SECONDS``). Whoever wins the UPDATE is the
  only one who may call Pinterest for that pin; everyone else is refused.
- The HTTP call never runs inside a transaction. Every state change around it is
  its own short statement.
- Pinterest's create-pin call has no idempotency key. A definite answer (2xx, 400,
  401, 403, 404, 429) decides the pin's fate. An unknown outcome (read timeout,
  reset after sending, 5xx) is resolved by looking at the board's recent pins:
  found means ``published`` with that id, absent means ``error``; when even the look
  fails the pin stays ``publishing`` and the sweep looks again once the lease has
  expired. Nothing is ever posted again without that look, and a failed pin is
  never re-posted automatically: a person retries.
- Creates are paced per connection (``PINTEREST_PUBLISH_INTERVAL_SECONDS``) across
  every process, by a slot reserved on the connection row.
- Every call to Pinterest leaves a PublishAttempt row: the audit trail.
- When a pin's publish ends, every pending batch item of that pin records the
  result, so a batch never waits on a pin another request is publishing.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from pinpublisher.errors import Conflict, InvalidRequest
from pinterest.client import PinterestClient
from pinterest.errors import (
    PinterestAuthError,
    PinterestConnectionError,
    PinterestError,
    PinterestRateLimitError,
)
from pinterest.models import PinterestConnection
from pinterest.payload import PayloadError, build_pin_create
from pinterest.services import (
    ConnectionUnusable,
    connection_access_token,
    connection_defer_publishing,
    connection_mark_inactive,
    connection_reserve_publish_slot,
)
from publishing.models import (
    Pin,
    PinStatus,
    PublishAttempt,
    PublishBatch,
    PublishBatchItem,
    PublishTrigger,
    Tenant,
)

logger = logging.getLogger(__name__)

PIN_URL = "https://www.pinterest.com/pin/{id}/"
MSG_NO_BOARD = "Pin must have a Pinterest board assigned"
MSG_NO_CONNECTION = "No Pinterest account connected to this project"
MSG_NO_IMAGE = "Pin must have an image"
MSG_INTERRUPTED = "Publishing was interrupted; the pin was not created on Pinterest"
MSG_NOT_SENT = "Publishing was interrupted before the pin was sent to Pinterest; publish it again"
UNCHECKED = "Whether Pinterest created the pin could not be checked"
MSG_NOT_CREATED = (
    "Pinterest did not create the pin: its answer was lost ({reason}) and no pin of this content "
    "appeared on the board since it was sent. Publish it again when Pinterest is available."
)
MSG_IMAGE_MISSING = "The pin's image file is missing from storage; upload it again"
MSG_UNEXPECTED = (
    "An unexpected error stopped publishing this pin before it was sent to Pinterest "
    "(reference: pin {pin_id}); publish it again, and tell support if it happens again"
)
MSG_UNEXPECTED_SENT = (
    "An unexpected error interrupted publishing after the pin was sent; it will be checked "
    "on the board automatically"
)
MSG_MATCHED_ANOTHERS = (
    "This pin was matched to Pinterest pin {id} after a lost answer, but Pinterest has since "
    "confirmed that pin for another of your pins: whether this one was created is unknown. "
    "Look at the board before publishing it again."
)
# A create leaving this much after its pacing slot pushes the next slot back accordingly.
PACING_SLACK_SECONDS = 0.005


class PinValidationError(InvalidRequest):
    """The pin cannot be published as it is; nothing was changed and nothing was called."""

    code = "pin_invalid"


class PinNotPublishable(Conflict):
    """The pin is already publishing or published (someone else holds or finished it)."""

    code = "pin_not_publishable"

    def __init__(self, message, *, status):
        super().__init__(message)
        self.status = status


@dataclass
class PublishResult:
    pin_id: UUID
    success: bool
    status: str
    pinterest_pin_id: str = ""
    pinterest_pin_url: str = ""
    error: str = ""
    #: Pinterest kept refusing with 429 past the retries (the sweep stops the connection).
    rate_limited: bool = False
    #: Pinterest rejected the connection's token (401): the connection is now inactive.
    connection_rejected: bool = False
    #: Pinterest could not be reached at all (refused, DNS): nothing was sent.
    unreachable: bool = False

    @property
    def stops_connection(self) -> bool:
        """Publishing more pins of this connection now would fail the same way."""
        return self.rate_limited or self.connection_rejected or self.unreachable

    def as_dict(self):
        return {
            "success": self.success,
            "pinterest_pin_id": self.pinterest_pin_id or None,
            "pinterest_pin_url": self.pinterest_pin_url or None,
            "error": self.error or None,
        }


# --- loading, validating, claiming -----------------------------------------------------


def _pins_with_relations():
    return Pin.objects.select_related(
        "article", "board", "board__connection", "project", "project__pinterest_connection"
    )


def pin_validate_for_publish(*, pin: Pin) -> None:
    """Raise PinValidationError with the first rule the pin breaks, in the agreed order."""
    if pin.board_id is None:
        raise PinValidationError(MSG_NO_BOARD, field="board")
    connection = pin.project.pinterest_connection
    if connection is None:
        raise PinValidationError(MSG_NO_CONNECTION, field="project")
    if not pin.has_image:
        raise PinValidationError(MSG_NO_IMAGE, field="image")
    if not connection.is_active:
        raise PinValidationError(
            f"The Pinterest account {connection} connected to this project is inactive"
            + (f" ({connection.last_error})" if connection.last_error else "")
            + "; reconnect it before publishing",
            field="project",
        )
    if pin.board.connection_id != connection.pk:
        raise PinValidationError(
            f"Board '{pin.board}' belongs to another Pinterest account than the project's", field="board"
        )
    if pin.board.is_archived:
        raise PinValidationError(
            f"Board '{pin.board}' no longer exists on Pinterest (archived); choose another board", field="board"
        )


def _claim(*, pin_id, from_statuses, now) -> bool:
    """Compare-and-set into ``publishing``; True when this caller won the pin."""
    with transaction.atomic():
        return bool(
            Pin.objects.filter(pk=pin_id, status__in=list(from_statuses)).update(
                status=PinStatus.PUBLISHING,
                publishing_started_at=now,
                claimed_at=now,
                error_message="",
                updated_at=now,
            )
        )


def _refusal(pin_id) -> PinNotPublishable:
    status = Pin.objects.filter(pk=pin_id).values_list("status", flat=True).first()
    if status == PinStatus.PUBLISHED:
        return PinNotPublishable("Pin is already published", status=status)
    if status == PinStatus.PUBLISHING:
        return PinNotPublishable("Pin is already being published", status=status)
    return PinNotPublishable(f"Pin cannot be published from status '{status}'", status=status)


# --- the outcome -----------------------------------------------------------------------


class _PinterestIdTaken(Exception):
    """Another of our pins already holds this Pinterest pin id (the unique constraint said so)."""


def _finish(*, pin: Pin, status: str, now: datetime, pinterest_pin_id="", error="") -> PublishResult:
    """Move a pin out of ``publishing`` and tell every pending batch item of it.

    Only the lease holder decides: a publisher whose pin was taken over changes nothing and
    gets the pin's stored state. Raises _PinterestIdTaken when ``pinterest_pin_id`` is
    another pin's (nothing changed).
    """
    values = {"status": status, "updated_at": now, "publishing_started_at": None}
    if status == PinStatus.PUBLISHED:
        values.update(
            published_at=now,
            pinterest_pin_id=pinterest_pin_id,
            pinterest_pin_url=PIN_URL.format(id=pinterest_pin_id),
            error_message="",
        )
    elif status == PinStatus.ERROR:
        values["error_message"] = error
    try:
        with transaction.atomic():
            held = Pin.objects.filter(
                pk=pin.pk, status=PinStatus.PUBLISHING, publishing_started_at=pin.publishing_started_at
            ).update(**values)
            if held:
                _record_items(pin_id=pin.pk, success=status == PinStatus.PUBLISHED, error=error)
    except IntegrityError as exc:
        if status == PinStatus.PUBLISHED:
            raise _PinterestIdTaken(pinterest_pin_id) from exc
        raise
    if not held:
        return _current_result(pin.pk)
    for name, value in values.items():
        setattr(pin, name, value)
    return PublishResult(
        pin_id=pin.pk,
        success=status == PinStatus.PUBLISHED,
        status=status,
        pinterest_pin_id=pin.pinterest_pin_id if status == PinStatus.PUBLISHED else "",
        pinterest_pin_url=pin.pinterest_pin_url if status == PinStatus.PUBLISHED else "",
        error=error,
    )


def _record_created(*, pin: Pin, pinterest_pin_id: str) -> PublishResult:
    """Pinterest answered 201 for this pin: that decides, whoever holds the lease now.

    A definite answer beats every guess: a pin another publisher already decided ``error``
    (it looked too early) becomes ``published``, its batch items are corrected; a pin a
    look wrongly matched to this Pinterest pin gives it up.
    """
    try:
        result = _finish(pin=pin, status=PinStatus.PUBLISHED, now=timezone.now(), pinterest_pin_id=pinterest_pin_id)
    except _PinterestIdTaken:
        _disown_guess(pinterest_pin_id=pinterest_pin_id, owner_id=pin.pk)
        result = _finish(pin=pin, status=PinStatus.PUBLISHED, now=timezone.now(), pinterest_pin_id=pinterest_pin_id)
    if result.success and result.pinterest_pin_id == pinterest_pin_id:
        return result
    return _publish_late(pin_id=pin.pk, pinterest_pin_id=pinterest_pin_id)


def _publish_late(*, pin_id, pinterest_pin_id: str) -> PublishResult:
    """A 201 that arrived after the lease was taken over: record it unless the pin is published."""
    now = timezone.now()
    with transaction.atomic():
        changed = (
            Pin.objects.filter(pk=pin_id)
            .exclude(status=PinStatus.PUBLISHED)
            .update(
                status=PinStatus.PUBLISHED, published_at=now, pinterest_pin_id=pinterest_pin_id,
                pinterest_pin_url=PIN_URL.format(id=pinterest_pin_id), error_message="",
                publishing_started_at=None, updated_at=now,
            )
        )
        if changed:
            # Items already told "failed" by whoever guessed are corrected; pending ones are told.
            PublishBatchItem.objects.filter(pin_id=pin_id, success=False).update(
                success=True, error="", finished_at=now
            )
            _record_items(pin_id=pin_id, success=True, error="")
    if not changed:
        logger.warning(
            "pin %s: Pinterest confirmed pin %s after this pin was already published; check the board "
            "for a duplicate", pin_id, pinterest_pin_id,
        )
    return _current_result(pin_id)


def _disown_guess(*, pinterest_pin_id: str, owner_id) -> None:
    """The pin holding ``pinterest_pin_id`` got it from a look; Pinterest's 201 says it is ``owner_id``'s."""
    now = timezone.now()
    message = MSG_MATCHED_ANOTHERS.format(id=pinterest_pin_id)
    with transaction.atomic():
        holders = list(
            Pin.objects.select_for_update().filter(pinterest_pin_id=pinterest_pin_id).exclude(pk=owner_id)
        )
        for holder in holders:
            Pin.objects.filter(pk=holder.pk).update(
                status=PinStatus.ERROR, pinterest_pin_id="", pinterest_pin_url="", published_at=None,
                error_message=message, updated_at=now,
            )
            PublishBatchItem.objects.filter(pin_id=holder.pk, success=True).update(
                success=False, error=message, finished_at=now
            )
            logger.warning("pin %s gave up Pinterest pin %s, which Pinterest created for pin %s",
                           holder.pk, pinterest_pin_id, owner_id)


def _current_result(pin_id) -> PublishResult:
    """The pin's state as stored (when another publisher holds or finished it)."""
    pin = Pin.objects.get(pk=pin_id)
    published = pin.status == PinStatus.PUBLISHED
    return PublishResult(
        pin_id=pin.pk, success=published, status=pin.status,
        pinterest_pin_id=pin.pinterest_pin_id if published else "",
        pinterest_pin_url=pin.pinterest_pin_url if published else "",
        error=pin.error_message or ("" if published else "The pin is being handled by another publisher"),
    )


def _record_items(*, pin_id, success: bool, error: str, batch_id=None) -> None:
    """Record a pin's result on its pending batch items (of one batch, or of all), and
    close the batches that have nothing pending left."""
    now = timezone.now()
    pending = PublishBatchItem.objects.filter(pin_id=pin_id, success__isnull=True)
    if batch_id is not None:
        pending = pending.filter(batch_id=batch_id)
    batch_ids = list(pending.values_list("batch_id", flat=True))
    if not batch_ids:
        return
    with transaction.atomic():
        pending.update(success=success, error=error, finished_at=now)
        PublishBatch.objects.filter(pk__in=batch_ids, finished_at__isnull=True).exclude(
            items__success__isnull=True
        ).update(finished_at=now)


def _start_attempt(*, pin: Pin, trigger: str, kind: str = PublishAttempt.Kind.CREATE) -> PublishAttempt:
    # Committed before the call: recovery reads "a create attempt exists" as "it may have been sent".
    return PublishAttempt.objects.create(pin=pin, trigger=trigger, kind=kind, started_at=timezone.now())


def _end_attempt(attempt: PublishAttempt, *, outcome, exc: PinterestError | None = None, request_id="",
                 pinterest_pin_id="", error="", http_status=None) -> None:
    attempt.finished_at = timezone.now()
    attempt.outcome = outcome
    attempt.http_status = http_status
    if exc is not None:
        attempt.http_status = exc.status_code
        attempt.pinterest_request_id = exc.request_id
        attempt.error = error or str(exc)
    else:
        attempt.pinterest_request_id = request_id
        attempt.error = error
    attempt.pinterest_pin_id = pinterest_pin_id
    attempt.save(
        update_fields=[
            "finished_at", "outcome", "http_status", "pinterest_request_id", "pinterest_pin_id", "error"
        ]
    )


# --- media and payload -----------------------------------------------------------------


class _Unpublishable(Exception):
    """The pin cannot be turned into a create request; the message is for the pin's owner."""


def _media(pin: Pin) -> dict:
    """image_url when Pinterest can fetch the image over https, else the bytes inline."""
    if pin.image_url:
        return {"image_url": pin.image_url}
    if not pin.image:
        raise _Unpublishable(MSG_NO_IMAGE)
    if settings.PUBLIC_MEDIA_BASE_URL and settings.PUBLIC_MEDIA_BASE_URL.startswith("https://"):
        return {"image_url": f"{settings.PUBLIC_MEDIA_BASE_URL}/{pin.image.name}"}
    try:
        url = pin.image.url
    except ValueError:
        url = ""
    if url.startswith("https://"):
        return {"image_url": url}
    try:
        with pin.image.open("rb") as handle:
            return {"image_bytes": handle.read()}
    except FileNotFoundError as exc:
        raise _Unpublishable(MSG_IMAGE_MISSING) from exc
    except OSError as exc:
        # The storage's own words may name server paths; the owner gets what they can act on.
        logger.warning("pin %s: image %s unreadable: %s", pin.pk, pin.image.name, exc)
        raise _Unpublishable("The pin's image file could not be read from storage; upload it again") from exc


def _payload_for(pin: Pin) -> dict:
    """Pinterest's PinCreate body for a pin. Raises _Unpublishable with a message for a person."""
    if pin.board is None:
        raise _Unpublishable(MSG_NO_BOARD)
    try:
        return build_pin_create(
            board_id=pin.board.pinterest_board_id,
            title=pin.title,
            description=pin.description,
            alt_text=pin.alt_text,
            link=pin.article.url,
            **_media(pin),
        )
    except PayloadError as exc:
        raise _Unpublishable(f"Invalid pin: {exc}") from exc


def pin_build_payload(*, pin: Pin) -> dict:
    """Pinterest's PinCreate body for a pin. Raises PayloadError (the message says why)."""
    try:
        return _payload_for(pin)
    except _Unpublishable as exc:
        raise PayloadError(str(exc)) from exc


# --- publishing a claimed pin ----------------------------------------------------------


@dataclass
class _Context:
    """What publishing needs that a sweep reads once per connection."""

    connection: PinterestConnection
    client: PinterestClient
    sleep: object = field(default=time.sleep)


def _wait_until(moment: datetime, sleep) -> None:
    delay = (moment - timezone.now()).total_seconds()
    if delay > 0:
        sleep(delay)


def _publish_claimed(
    *, pin: Pin, trigger: str, context: _Context, release_when_stopped: bool = False
) -> PublishResult:
    """Publish a pin this caller has claimed. Never raises: whatever goes wrong stays with this pin.

    A rule the pin breaks, or an image gone from storage, ends it in ``error`` with a message a
    person can act on. An unexpected exception is logged with the pin id and a traceback; the
    pin ends ``error`` when nothing was sent, and stays ``publishing`` for the sweep's look
    (after its lease) when a create may have reached Pinterest.
    """
    try:
        try:
            pin_validate_for_publish(pin=pin)
            payload = _payload_for(pin)
        except (PinValidationError, _Unpublishable) as exc:
            return _finish(pin=pin, status=PinStatus.ERROR, now=timezone.now(), error=str(exc))
        return _create(pin=pin, payload=payload, trigger=trigger, context=context,
                       release_when_stopped=release_when_stopped)
    except Exception:
        logger.exception("publishing pin %s failed unexpectedly", pin.pk)
        return _settle_unexpected(pin)


def _settle_unexpected(pin: Pin) -> PublishResult:
    try:
        if _create_maybe_sent(pin) is None:
            return _finish(pin=pin, status=PinStatus.ERROR, now=timezone.now(),
                           error=MSG_UNEXPECTED.format(pin_id=pin.pk))
    except Exception:
        logger.exception("pin %s: could not record the unexpected failure; its lease will expire", pin.pk)
    return PublishResult(pin_id=pin.pk, success=False, status=PinStatus.PUBLISHING, error=MSG_UNEXPECTED_SENT)


def _create_maybe_sent(pin: Pin) -> PublishAttempt | None:
    """The first create of the current claim that may have made a pin on Pinterest, else None.

    Creates that ended with a definite refusal (400, 401, 429, unreachable) made nothing.
    """
    since = pin.claimed_at or pin.publishing_started_at
    return (
        PublishAttempt.objects.filter(
            pin_id=pin.pk, kind=PublishAttempt.Kind.CREATE, started_at__gte=since,
            outcome__in=[PublishAttempt.Outcome.PENDING, PublishAttempt.Outcome.UNKNOWN,
                         PublishAttempt.Outcome.SUCCESS],
        )
        .order_by("started_at", "id")
        .first()
    )


def _create(*, pin: Pin, payload: dict, trigger: str, context: _Context, release_when_stopped: bool) -> PublishResult:
    """Pace, create, decide. Every Pinterest answer becomes a PublishResult."""
    connection = context.connection
    interval = settings.PINTEREST_PUBLISH_INTERVAL_SECONDS
    retries_left = settings.PUBLISH_RATE_LIMIT_RETRIES
    backoff = settings.PUBLISH_RATE_LIMIT_BACKOFF_SECONDS
    while True:
        slot = connection_reserve_publish_slot(connection_id=connection.pk, interval=interval)
        _wait_until(slot, context.sleep)
        if not _renew_lease(pin):
            # While this caller waited (pacing, a 429), its lease expired and a sweep took the
            # pin over (it looks at the board and decides); calling Pinterest now could duplicate it.
            return _current_result(pin.pk)
        attempt = _start_attempt(pin=pin, trigger=trigger)
        late = (attempt.started_at - slot).total_seconds()
        if interval > 0 and late > PACING_SLACK_SECONDS:
            # This create leaves after its slot (a busy machine): the next one must still keep
            # the interval from when this one actually goes, not from the slot.
            connection_defer_publishing(
                connection_id=connection.pk, until=attempt.started_at + timedelta(seconds=interval)
            )
        try:
            created = context.client.create_pin(payload)
        except PinterestRateLimitError as exc:
            _end_attempt(attempt, outcome=PublishAttempt.Outcome.RATE_LIMITED, exc=exc)
            wait = exc.retry_after if exc.retry_after is not None else backoff
            backoff *= 2
            can_wait = wait <= settings.PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS
            if retries_left > 0 and can_wait and not exc.is_spam_block:
                retries_left -= 1
                # Every publisher of this account holds back, and this one waits itself.
                connection_defer_publishing(
                    connection_id=connection.pk, until=timezone.now() + timedelta(seconds=wait)
                )
                context.sleep(wait)
                continue
            result = _stop(pin=pin, message=f"Rate limited by Pinterest: {exc.user_message}",
                           release=release_when_stopped)
            result.rate_limited = True
            return result
        except PinterestAuthError as exc:
            _end_attempt(attempt, outcome=PublishAttempt.Outcome.FAILED, exc=exc)
            error = f"Pinterest rejected the access token of {connection}: {exc.user_message}"
            connection_mark_inactive(connection_id=connection.pk, error=error)
            result = _finish(pin=pin, status=PinStatus.ERROR, now=timezone.now(), error=error)
            result.connection_rejected = True
            return result
        except PinterestConnectionError as exc:
            # Never reached Pinterest: nothing was created. A person publishing now is told;
            # a scheduled pin goes back on the schedule (the outage is not its fault).
            _end_attempt(attempt, outcome=PublishAttempt.Outcome.FAILED, exc=exc)
            result = _stop(pin=pin, message=f"Could not reach Pinterest: {exc.user_message}",
                           release=release_when_stopped)
            result.unreachable = True
            return result
        except PinterestError as exc:
            if exc.outcome_unknown:
                _end_attempt(attempt, outcome=PublishAttempt.Outcome.UNKNOWN, exc=exc)
                # Pinterest may still be finishing a request whose answer we lost: give it a
                # moment before looking, so a pin still being created is not missed.
                context.sleep(settings.PUBLISH_RECONCILE_GRACE_SECONDS)
                return _reconcile(
                    pin=pin, payload=payload, sent_at=attempt.started_at, context=context, trigger=trigger,
                    absent_error=MSG_NOT_CREATED.format(reason=exc.user_message),
                )
            _end_attempt(attempt, outcome=PublishAttempt.Outcome.FAILED, exc=exc)
            return _finish(pin=pin, status=PinStatus.ERROR, now=timezone.now(), error=exc.user_message)
        pinterest_pin_id = str(created.get("id", ""))
        _end_attempt(
            attempt, outcome=PublishAttempt.Outcome.SUCCESS, request_id=context.client.last_request_id,
            pinterest_pin_id=pinterest_pin_id, http_status=201,
        )
        return _record_created(pin=pin, pinterest_pin_id=pinterest_pin_id)


def _stop(*, pin: Pin, message: str, release: bool) -> PublishResult:
    """Pinterest cannot take the pin now (not the pin's fault): back on the schedule when
    ``release`` (the sweep), else ``error`` with the message (a person is waiting)."""
    if release:
        return _release(pin=pin, note=message)
    return _finish(pin=pin, status=PinStatus.ERROR, now=timezone.now(), error=message)


def _renew_lease(pin: Pin) -> bool:
    """Restart the lease just before calling Pinterest; False when it is no longer ours."""
    now = timezone.now()
    renewed = Pin.objects.filter(
        pk=pin.pk, status=PinStatus.PUBLISHING, publishing_started_at=pin.publishing_started_at
    ).update(publishing_started_at=now)
    if renewed:
        pin.publishing_started_at = now
    return bool(renewed)


def _release(*, pin: Pin, note: str) -> PublishResult:
    """Give a claimed pin back to the schedule untouched (a rate limit is not its fault)."""
    now = timezone.now()
    Pin.objects.filter(
        pk=pin.pk, status=PinStatus.PUBLISHING, publishing_started_at=pin.publishing_started_at
    ).update(status=PinStatus.READY_TO_SCHEDULE, publishing_started_at=None, updated_at=now)
    pin.status = PinStatus.READY_TO_SCHEDULE
    return PublishResult(pin_id=pin.pk, success=False, status=pin.status, error=note)


# --- looking after a lost answer -------------------------------------------------------

# What a look compares: everything that was sent and that Pinterest's Pin echoes back
# (https://developers.pinterest.com/docs/api/v5/pins-create). Siblings of one article share
# board, link and often title; two pins match only when all of these agree.
MATCHED_FIELDS = ("link", "title", "description", "alt_text", "board_section_id")
MEDIA_KINDS = {
    "image_url": "image", "image_base64": "image", "video_id": "video",
    "multiple_image_urls": "multiple_images", "multiple_image_base64": "multiple_images",
}


def _created_at(remote: dict) -> datetime | None:
    value = remote.get("created_at")
    if not value:
        return None
    try:
        created = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    # Pinterest documents some timestamps without an offset; they are UTC.
    return created if created.tzinfo else created.replace(tzinfo=UTC)


def _matches(remote: dict, payload: dict) -> bool:
    if str(remote.get("board_id") or payload["board_id"]) != payload["board_id"]:
        return False
    for name in MATCHED_FIELDS:
        if (remote.get(name) or "") != (payload.get(name) or ""):
            return False
    sent_kind = MEDIA_KINDS.get((payload.get("media_source") or {}).get("source_type"))
    remote_kind = (remote.get("media") or {}).get("media_type") if isinstance(remote.get("media"), dict) else None
    return not (sent_kind and remote_kind and remote_kind != sent_kind)


def _look(*, payload: dict, sent_at: datetime, client: PinterestClient) -> list[str]:
    """Ids of the board's pins that match ``payload`` and were created after ``sent_at`` (less
    the allowed clock skew), best candidate first: the one created closest to ``sent_at``, then
    the lower id, so twins whose answers were both lost each take a different one, the same way
    every time. Raises PinterestError when the look itself fails.
    """
    oldest = sent_at - timedelta(seconds=settings.PUBLISH_RECONCILE_SKEW_SECONDS)
    found = []
    for remote in client.iter_board_pins(payload["board_id"], page_size=100, max_pages=5):
        created = _created_at(remote)
        if created is not None and created < oldest:
            break  # newest first: everything after this is older still
        if _matches(remote, payload):
            distance = abs((created - sent_at).total_seconds()) if created else 0.0
            found.append((distance, len(str(remote["id"])), str(remote["id"])))
    return [pinterest_id for *_, pinterest_id in sorted(found)]


def _owned_elsewhere(*, pin_id, candidates: list[str]) -> set[str]:
    """Candidates another of our pins holds, or that Pinterest confirmed (201) for another pin."""
    if not candidates:
        return set()
    owned = set(
        Pin.objects.filter(pinterest_pin_id__in=candidates)
        .exclude(pk=pin_id)
        .values_list("pinterest_pin_id", flat=True)
    )
    owned.update(
        PublishAttempt.objects.filter(pinterest_pin_id__in=candidates, outcome=PublishAttempt.Outcome.SUCCESS)
        .exclude(pin_id=pin_id)
        .values_list("pinterest_pin_id", flat=True)
    )
    return owned


def _reconcile(*, pin, payload, sent_at, context, trigger, absent_error) -> PublishResult:
    """Resolve an unknown outcome by looking; never by posting again.

    Pinterest has no idempotency key: a pin is ours when it matches everything we sent, was
    created after we sent it, and no other pin of ours holds it. The unique constraint on
    ``pinterest_pin_id`` settles two looks racing for one candidate: the loser takes the next.
    """
    attempt = _start_attempt(pin=pin, trigger=trigger, kind=PublishAttempt.Kind.LOOK)
    try:
        candidates = _look(payload=payload, sent_at=sent_at, client=context.client)
    except PinterestError as exc:
        _end_attempt(attempt, outcome=PublishAttempt.Outcome.UNKNOWN, exc=exc,
                     error=f"Could not check the board: {exc}")
        if exc.outcome_unknown or isinstance(exc, (PinterestConnectionError, PinterestRateLimitError)):
            # Passing trouble: stays ``publishing``; the sweep looks again once the lease expires.
            return PublishResult(
                pin_id=pin.pk, success=False, status=PinStatus.PUBLISHING,
                error="Pinterest's answer was lost and the board could not be checked yet; "
                "the pin will be checked again automatically",
            )
        # A definite refusal (board gone, token rejected): looking again would never succeed.
        if isinstance(exc, PinterestAuthError):
            connection_mark_inactive(
                connection_id=context.connection.pk,
                error=f"Pinterest rejected the access token of {context.connection}: {exc.user_message}",
            )
        return _finish(
            pin=pin, status=PinStatus.ERROR, now=timezone.now(),
            error=f"{UNCHECKED} ({exc.user_message}); look at the board before publishing again",
        )
    request_id = context.client.last_request_id
    owned = _owned_elsewhere(pin_id=pin.pk, candidates=candidates)
    for candidate in candidates:
        if candidate in owned:
            continue
        try:
            result = _finish(pin=pin, status=PinStatus.PUBLISHED, now=timezone.now(), pinterest_pin_id=candidate)
        except _PinterestIdTaken:
            continue  # a twin's look took it a moment ago: the next candidate is this pin's
        _end_attempt(attempt, outcome=PublishAttempt.Outcome.FOUND, request_id=request_id,
                     pinterest_pin_id=candidate)
        return result
    _end_attempt(attempt, outcome=PublishAttempt.Outcome.NOT_FOUND, request_id=request_id, error=absent_error)
    return _finish(pin=pin, status=PinStatus.ERROR, now=timezone.now(), error=absent_error)


def _context_for(connection: PinterestConnection) -> _Context:
    """Read the token once; raises ConnectionUnusable."""
    token = connection_access_token(connection=connection)
    return _Context(connection=connection, client=PinterestClient(token))


# --- public services ---------------------------------------------------------------------


def pin_publish(*, pin_id, trigger: str = PublishTrigger.MANUAL) -> PublishResult:
    """Publish one pin now.

    Raises Pin.DoesNotExist, PinValidationError (nothing changed, nothing called) and
    PinNotPublishable (already publishing or published). Any answer from Pinterest
    is returned as a PublishResult (``success`` false with ``error`` on refusal).
    """
    pin = _pins_with_relations().get(pk=pin_id)
    pin_validate_for_publish(pin=pin)
    now = timezone.now()
    if not _claim(pin_id=pin.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=now):
        raise _refusal(pin.pk)
    # Publish what was claimed: the pin may have been edited between the read and the claim.
    pin = _pins_with_relations().get(pk=pin.pk)
    try:
        pin_validate_for_publish(pin=pin)
        context = _context_for(pin.project.pinterest_connection)
    except (PinValidationError, ConnectionUnusable) as exc:
        return _finish(pin=pin, status=PinStatus.ERROR, now=timezone.now(), error=str(exc))
    return _publish_claimed(pin=pin, trigger=trigger, context=context)


def pin_reconcile(*, pin_id, trigger: str = PublishTrigger.SWEEP) -> PublishResult | None:
    """Resolve a pin stuck in ``publishing`` past its lease (a worker died, or a lost answer
    could not be checked yet).

    A 201 recorded but never applied (the worker died in between): ``published``. Nothing
    that may have created a pin was sent since the claim: back to the schedule when it has
    one, else ``error`` saying so. Otherwise look at the board for pins created since that
    create was sent; found means ``published`` with that id, absent means ``error``
    (MSG_INTERRUPTED); the look failing for a passing reason leaves it for the next run.
    Returns None when the pin is no longer stuck.
    """
    lease = timedelta(seconds=settings.PUBLISH_LEASE_SECONDS)
    now = timezone.now()
    pin = _pins_with_relations().filter(pk=pin_id, status=PinStatus.PUBLISHING).first()
    if pin is None or pin.publishing_started_at is None or pin.publishing_started_at > now - lease:
        return None
    # Take the lease over (compare-and-set on the old stamp) so two sweeps never both look;
    # the look's window starts at the create, which a takeover never moves.
    taken = Pin.objects.filter(
        pk=pin.pk, status=PinStatus.PUBLISHING, publishing_started_at=pin.publishing_started_at
    ).update(publishing_started_at=now)
    if not taken:
        return None
    pin.publishing_started_at = now
    sent = _create_maybe_sent(pin)
    if sent is None:
        if pin.scheduled_at is not None:
            return _release(pin=pin, note=MSG_NOT_SENT)
        return _finish(pin=pin, status=PinStatus.ERROR, now=now, error=MSG_NOT_SENT)
    if sent.outcome == PublishAttempt.Outcome.SUCCESS and sent.pinterest_pin_id:
        return _record_created(pin=pin, pinterest_pin_id=sent.pinterest_pin_id)
    connection = pin.project.pinterest_connection
    try:
        payload = _payload_for(pin)
        if connection is None:
            raise ConnectionUnusable(MSG_NO_CONNECTION)
        context = _context_for(connection)
    except (_Unpublishable, ConnectionUnusable) as exc:
        # No way to look. Leaving the pin ``publishing`` would hide it forever; say
        # plainly what is unknown so a person checks the board before publishing again.
        error = f"Publishing was interrupted. {UNCHECKED} ({exc}); look at the board before publishing again"
        return _finish(pin=pin, status=PinStatus.ERROR, now=now, error=error)
    return _reconcile(
        pin=pin, payload=payload, sent_at=sent.started_at, context=context, trigger=trigger,
        absent_error=MSG_INTERRUPTED,
    )


def pins_publish_bulk(
    *, tenant: Tenant, pin_ids, trigger: str = PublishTrigger.BULK, user=None
) -> PublishBatch:
    """Create a batch of the tenant's pins and publish it in the background.

    ``pin_ids`` must all be the tenant's pins (the caller checks and reports; here a
    foreign id raises Pin.DoesNotExist and nothing is created). One django-q2 task per
    Pinterest connection, enqueued after commit; each is paced on its connection.
    """
    from publishing import tasks  # the tasks module imports this one

    unique_ids = list(dict.fromkeys(pin_ids))
    pins = list(
        Pin.objects.filter(pk__in=unique_ids, project__tenant=tenant).values_list(
            "pk", "project__pinterest_connection_id"
        )
    )
    if len(pins) != len(unique_ids):
        raise Pin.DoesNotExist("Some pins are not this tenant's")
    groups: dict = {}
    for pk, connection_id in pins:
        groups.setdefault(connection_id, []).append(pk)
    with transaction.atomic():
        batch = PublishBatch.objects.create(tenant=tenant, created_by=user, trigger=trigger, total=len(pins))
        PublishBatchItem.objects.bulk_create(PublishBatchItem(batch=batch, pin_id=pk) for pk in unique_ids)
        for group in groups.values():
            transaction.on_commit(
                lambda group=group: tasks.enqueue_publish_batch_group(batch_id=batch.pk, pin_ids=group)
            )
    return batch


def publish_batch_group(*, batch_id, pin_ids, sleep=time.sleep, budget_seconds: float | None = None) -> list:
    """Publish one connection's share of a batch, in order, paced.

    Safe to run twice (django-q2 delivers at least once): a pin whose item already
    has a result is skipped, and the claim refuses a pin someone else holds.
    Stops before its task could time out (``PUBLISH_SWEEP_BUDGET_SECONDS``, at the pacing
    rate) and returns the pin ids it did not reach, for a continuation task.
    """
    if budget_seconds is None:
        budget_seconds = settings.PUBLISH_SWEEP_BUDGET_SECONDS
    deadline = time.monotonic() + budget_seconds
    batch = PublishBatch.objects.get(pk=batch_id)
    pin_ids = [UUID(str(pin_id)) for pin_id in pin_ids]
    pending = set(
        PublishBatchItem.objects.filter(batch=batch, pin_id__in=pin_ids, success__isnull=True).values_list(
            "pin_id", flat=True
        )
    )
    pins = {pin.pk: pin for pin in _pins_with_relations().filter(pk__in=pending)}
    contexts: dict = {}
    interval = settings.PINTEREST_PUBLISH_INTERVAL_SECONDS
    for index, pin_id in enumerate(pin_ids):
        pin = pins.get(pin_id)
        if pin is None:
            continue
        if index and time.monotonic() + interval > deadline:
            return [str(rest) for rest in pin_ids[index:]]
        try:
            pin_validate_for_publish(pin=pin)
        except PinValidationError as exc:
            _record_items(batch_id=batch.pk, pin_id=pin.pk, success=False, error=str(exc))
            continue
        now = timezone.now()
        if not _claim(pin_id=pin.pk, from_statuses=Pin.PUBLISHABLE_STATUSES, now=now):
            refusal = _refusal(pin.pk)
            if refusal.status == PinStatus.PUBLISHED:
                _record_items(batch_id=batch.pk, pin_id=pin.pk, success=True, error="")
            elif refusal.status != PinStatus.PUBLISHING:
                _record_items(batch_id=batch.pk, pin_id=pin.pk, success=False, error=str(refusal))
            # PUBLISHING: whoever holds the pin records the result on this item too.
            continue
        # Reload what was claimed: the pin may have been edited since this task started.
        pin = _pins_with_relations().get(pk=pin.pk)
        try:
            pin_validate_for_publish(pin=pin)
        except PinValidationError as exc:
            _finish(pin=pin, status=PinStatus.ERROR, now=timezone.now(), error=str(exc))
            continue
        connection = pin.project.pinterest_connection
        if connection.pk not in contexts:
            try:
                contexts[connection.pk] = _context_for(connection)
            except ConnectionUnusable as exc:
                contexts[connection.pk] = exc
        context = contexts[connection.pk]
        if isinstance(context, ConnectionUnusable):
            _finish(pin=pin, status=PinStatus.ERROR, now=timezone.now(), error=str(context))
            continue
        context.sleep = sleep
        _publish_claimed(pin=pin, trigger=batch.trigger, context=context)
    return []


def batches_resume_stalled(*, now: datetime, stalled_after: timedelta) -> int:
    """Finish or restart batch items nobody is working on (a task died, the queue was lost).

    An item is stalled when its batch is older than ``stalled_after`` and no item of the
    batch finished within it. Its pin's own state settles it: published or error is
    recorded as such; a pin still ``publishing`` is left to its lease; any other pin is
    handed to a new batch task (safe: claims are compare-and-set). Returns how many
    pins were re-enqueued.
    """
    from publishing import tasks  # the tasks module imports this one

    cutoff = now - stalled_after
    stalled = (
        PublishBatchItem.objects.filter(
            success__isnull=True, batch__finished_at__isnull=True, batch__created_at__lt=cutoff
        )
        .exclude(batch__items__finished_at__gte=cutoff)
        .select_related("pin__project")
        .order_by("batch_id", "id")
    )
    groups: dict = {}
    for item in stalled.iterator(chunk_size=500):
        pin = item.pin
        if pin.status == PinStatus.PUBLISHED:
            _record_items(batch_id=item.batch_id, pin_id=pin.pk, success=True, error="")
        elif pin.status == PinStatus.ERROR:
            _record_items(batch_id=item.batch_id, pin_id=pin.pk, success=False, error=pin.error_message)
        elif pin.status != PinStatus.PUBLISHING:
            groups.setdefault((item.batch_id, pin.project.pinterest_connection_id), []).append(pin.pk)
    for (batch_id, _connection_id), pin_ids in groups.items():
        tasks.enqueue_publish_batch_group(batch_id=batch_id, pin_ids=pin_ids)
    return sum(len(pin_ids) for pin_ids in groups.values())


def _publishable_as_they_are(pin_ids):
    """Pins with a usable board and an image: the rule pin_schedule applies, so the sweep
    never claims a pin it can only fail."""
    return (
        Pin.objects.filter(pk__in=list(pin_ids), board__isnull=False, board__is_archived=False)
        .exclude(image="", image_url="")
    )


def pins_mark_ready(*, pin_ids) -> int:
    """Drafts with a board and an image become ``ready_to_schedule`` (the sweep publishes them
    once scheduled and due); the others stay drafts. Returns how many were marked."""
    return _publishable_as_they_are(pin_ids).filter(status=PinStatus.DRAFT).update(
        status=PinStatus.READY_TO_SCHEDULE, updated_at=timezone.now()
    )


def pins_retry_failed(*, pin_ids) -> int:
    """Failed pins with a board and an image go back to ``ready_to_schedule``: a person decided
    to try again. Returns how many did."""
    return _publishable_as_they_are(pin_ids).filter(status=PinStatus.ERROR).update(
        status=PinStatus.READY_TO_SCHEDULE, updated_at=timezone.now()
    )


def batch_summary(*, batch: PublishBatch) -> dict:
    items = list(batch.items.order_by("id").values("pin_id", "success", "error"))
    published = sum(1 for item in items if item["success"] is True)
    failed = sum(1 for item in items if item["success"] is False)
    return {
        "id": str(batch.pk),
        "total": len(items),
        "published": published,
        "failed": failed,
        "pending": len(items) - published - failed,
        "finished_at": batch.finished_at,
        "results": [
            {"id": str(item["pin_id"]), "success": item["success"], "error": item["error"] or None}
            for item in items
        ],
    }


__all__ = [
    "MSG_INTERRUPTED",
    "MSG_NO_BOARD",
    "MSG_NO_CONNECTION",
    "MSG_NO_IMAGE",
    "PinNotPublishable",
    "PinValidationError",
    "PublishResult",
    "batch_summary",
    "batches_resume_stalled",
    "pin_build_payload",
    "pin_publish",
    "pin_reconcile",
    "pin_validate_for_publish",
    "pins_mark_ready",
    "pins_publish_bulk",
    "pins_retry_failed",
    "publish_batch_group",
]
