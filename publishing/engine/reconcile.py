"""Resolving an unknown outcome by looking at the board; never by posting again.

Pinterest has no idempotency key (https://developers.pinterest.com/docs/api/v5/pins-create).
A pin on the board is ours when it matches everything we sent, was created after we sent it
(less the allowed clock skew), and no other pin of ours holds it. Siblings of one article
share board, link and often title, so every field that was sent is compared. When even the
look fails for a passing reason, the pin stays ``publishing`` and the sweep looks again
once its lease has expired.
"""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from django.utils import timezone

from pinterest.client import PinterestClient
from pinterest.errors import ConnectionRefreshFailing, ConnectionUnusable, PinterestError
from pinterest.services.verdicts import verdict_for
from publishing.conf import publishing_settings
from publishing.engine import audit, lease, outcome, verdicts
from publishing.engine.context import Context, context_for
from publishing.engine.payload import PinCreatePayload, Unpublishable
from publishing.engine.results import (
    MSG_INTERRUPTED,
    MSG_LOOK_PENDING,
    MSG_NO_CONNECTION,
    MSG_NOT_SENT,
    UNCHECKED,
    PublishResult,
)
from publishing.models import Pin, PinStatus, PublishAttempt, PublishTrigger
from publishing.selectors import pins_with_relations

# What a look compares: everything that was sent and that Pinterest's Pin echoes back.
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


def matches(remote: dict, payload: dict) -> bool:
    """Whether a pin on the board carries everything ``payload`` sent."""
    if str(remote.get("board_id") or payload["board_id"]) != payload["board_id"]:
        return False
    for name in MATCHED_FIELDS:
        if (remote.get(name) or "") != (payload.get(name) or ""):
            return False
    sent_kind = MEDIA_KINDS.get(str((payload.get("media_source") or {}).get("source_type") or ""))
    media = remote.get("media")
    remote_kind = media.get("media_type") if isinstance(media, dict) else None
    return not (sent_kind and remote_kind and remote_kind != sent_kind)


def look(*, payload: dict, sent_at: datetime, client: PinterestClient) -> list[str]:
    """Ids of the board's pins that match ``payload`` and were created after ``sent_at`` (less
    the allowed clock skew), best candidate first: the one created closest to ``sent_at``, then
    the lower id, so twins whose answers were both lost each take a different one, the same way
    every time. Raises PinterestError when the look itself fails.
    """
    oldest = sent_at - timedelta(seconds=publishing_settings.PUBLISH_RECONCILE_SKEW_SECONDS)
    found = []
    for remote in client.iter_board_pins(payload["board_id"], page_size=100, max_pages=5):
        created = _created_at(remote)
        if created is not None and created < oldest:
            break  # newest first: everything after this is older still
        if matches(remote, payload):
            # A pin that does not say when it was created is the least likely to be this one.
            distance = abs((created - sent_at).total_seconds()) if created else float("inf")
            found.append((distance, len(str(remote["id"])), str(remote["id"])))
    return [pinterest_id for *_, pinterest_id in sorted(found)]


def _owned_elsewhere(*, pin_id: UUID | str, candidates: list[str]) -> set[str]:
    """Candidates another of our pins holds, or that Pinterest confirmed (201) for another pin."""
    if not candidates:
        return set()
    owned = set(
        Pin.objects.filter(pinterest_pin_id__in=candidates)
        .exclude(pk=pin_id)
        .values_list("pinterest_pin_id", flat=True)
    )
    return owned | audit.pinterest_ids_confirmed_elsewhere(pin_id=pin_id, pinterest_pin_ids=candidates)


def _earlier_twin_unresolved(pin: Pin, sent_at: datetime) -> bool:
    """Whether another pin with everything a look compares in common (board, link, texts) had
    its create sent before ``sent_at`` (within the skew) and still does not know its outcome."""
    if pin.board_id is None:
        return False
    oldest = sent_at - timedelta(seconds=publishing_settings.PUBLISH_RECONCILE_SKEW_SECONDS)
    return (
        PublishAttempt.objects.filter(
            kind=audit.Kind.CREATE, outcome__in=(audit.Outcome.PENDING, audit.Outcome.UNKNOWN),
            started_at__gte=oldest, started_at__lt=sent_at,
            pin__status=PinStatus.PUBLISHING, pin__board_id=pin.board_id, pin__article__url=pin.article.url,
            pin__link=pin.link,
            pin__title=pin.title, pin__description=pin.description, pin__alt_text=pin.alt_text,
        )
        .exclude(pin_id=pin.pk)
        .exists()
    )


def look_and_decide(
    *, pin: Pin, payload: dict, sent_at: datetime, context: Context, trigger: str, absent_error: str
) -> PublishResult:
    """Look for the pin sent at ``sent_at`` and decide: found -> ``published``, absent -> ``error``.

    The unique constraint on ``pinterest_pin_id`` settles two looks racing for one candidate:
    the loser takes the next one.
    """
    attempt = audit.attempt_start(pin=pin, trigger=trigger, kind=audit.Kind.LOOK)
    try:
        candidates = look(payload=payload, sent_at=sent_at, client=context.client)
    except PinterestError as exc:
        audit.attempt_end(attempt, outcome=audit.Outcome.UNKNOWN, exc=exc, error=f"Could not check the board: {exc}")
        verdict = verdict_for(exc, backoff=publishing_settings.PUBLISH_RATE_LIMIT_BACKOFF_SECONDS)
        return verdicts.after_look(pin=pin, verdict=verdict, context=context)
    request_id = context.client.last_request_id
    owned = _owned_elsewhere(pin_id=pin.pk, candidates=candidates)
    if any(candidate not in owned for candidate in candidates) and _earlier_twin_unresolved(pin, sent_at):
        # A twin sent before this pin may have made the candidate and not said so yet: taking it
        # now could leave that twin "not created" while its image is on Pinterest. The earliest
        # sender decides first; this pin is looked at again after its lease.
        audit.attempt_end(attempt, outcome=audit.Outcome.UNKNOWN, request_id=request_id,
                          error="An earlier pin of the same content is still being checked")
        return PublishResult(pin_id=pin.pk, success=False, status=PinStatus.PUBLISHING, error=MSG_LOOK_PENDING)
    for candidate in candidates:
        if candidate in owned:
            continue
        try:
            result = outcome.finish(pin=pin, status=PinStatus.PUBLISHED, pinterest_pin_id=candidate, looked=True)
        except outcome.PinterestIdTaken:
            continue  # a twin's look took it a moment ago: the next candidate is this pin's
        audit.attempt_end(attempt, outcome=audit.Outcome.FOUND, request_id=request_id, pinterest_pin_id=candidate)
        return result
    audit.attempt_end(attempt, outcome=audit.Outcome.NOT_FOUND, request_id=request_id, error=absent_error)
    return outcome.finish(pin=pin, status=PinStatus.ERROR, error=absent_error, looked=True)


def pin_reconcile(*, pin_id: UUID | str, trigger: str = PublishTrigger.SWEEP) -> PublishResult | None:
    """Resolve a pin stuck in ``publishing`` past its lease (a worker died, or a lost answer
    could not be checked yet).

    A 201 recorded but never applied (the worker died in between): ``published``. Nothing
    that may have created a pin was sent since the claim: back to the schedule when it has
    one, else ``error`` saying so. Otherwise look at the board for pins created since that
    create was sent; found means ``published`` with that id, absent means ``error``
    (MSG_INTERRUPTED); the look failing for a passing reason leaves it for the next run.
    Returns None when the pin is no longer stuck.
    """
    now = timezone.now()
    lease_start = now - timedelta(seconds=publishing_settings.PUBLISH_LEASE_SECONDS)
    pin = pins_with_relations().filter(pk=pin_id, status=PinStatus.PUBLISHING).first()
    if pin is None or pin.publishing_started_at is None or pin.publishing_started_at > lease_start:
        return None
    if not lease.take_over(pin, now=now):
        return None
    sent = audit.create_maybe_sent(pin)
    if sent is None:
        if pin.scheduled_at is not None:
            return outcome.release(pin=pin, note=MSG_NOT_SENT)
        return outcome.finish(pin=pin, status=PinStatus.ERROR, now=now, error=MSG_NOT_SENT)
    if sent.outcome == audit.Outcome.SUCCESS and sent.pinterest_pin_id:
        return outcome.record_created(pin=pin, pinterest_pin_id=sent.pinterest_pin_id)
    connection = pin.project.pinterest_connection
    try:
        payload = PinCreatePayload(pin).body()
        if connection is None:
            raise ConnectionUnusable(MSG_NO_CONNECTION)
        context = context_for(connection)
    except ConnectionRefreshFailing:
        # Passing trouble refreshing the token: looking later will work; this is no verdict.
        return PublishResult(pin_id=pin.pk, success=False, status=PinStatus.PUBLISHING, error=MSG_LOOK_PENDING)
    except (Unpublishable, ConnectionUnusable) as exc:
        # No way to look. Leaving the pin ``publishing`` would hide it forever; say
        # plainly what is unknown so a person checks the board before publishing again.
        error = f"Publishing was interrupted. {UNCHECKED} ({exc}); look at the board before publishing again"
        return outcome.finish(pin=pin, status=PinStatus.ERROR, now=now, error=error)
    return look_and_decide(
        pin=pin, payload=payload, sent_at=sent.started_at, context=context, trigger=trigger,
        absent_error=MSG_INTERRUPTED,
    )
