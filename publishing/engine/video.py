"""A video pin's media, through Pinterest's media flow, before its create.

https://developers.pinterest.com/docs/api-features/creating-boards-and-pins/#creating-video-pins
1. register: ``POST /v5/media`` gives a media id, an upload URL and the upload's parameters;
2. upload: the file, streamed from storage, with every parameter (multipart, to the URL);
3. wait: ``GET /v5/media/{media_id}`` until ``succeeded`` or ``failed``, polled from 1 s,
   doubling to 10 s, within ``PUBLISH_MEDIA_PROCESSING_BUDGET_SECONDS`` (and, for a person's
   publish-now, within ``PUBLISH_NOW_MAX_WAIT_SECONDS``: the pin is then handed on with its media).

The media id and its state are stored on the pin as each step ends (only while this caller
holds the pin's lease), so a publish that crashed after the upload resumes with the same
media instead of uploading again; the lease is renewed while waiting, so recovery does not
take the pin over mid-wait. Nothing here creates a pin: a lost answer on a media call is
harmless (a media nobody uses), and the create that follows keeps every exactly-once rule.

The dispatcher's pacing slot was taken before this wait; a create after a media upload
therefore waits for a fresh slot (``create._create``), so two creates of one account never
come closer than the interval.
"""

import logging
import mimetypes
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, BinaryIO, cast

from pinterest.errors import PinterestError, PinterestNotFound
from publishing.conf import publishing_settings
from publishing.engine import lease, outcome
from publishing.engine.context import Caller, Context
from publishing.engine.results import PublishResult
from publishing.models import MediaState, Pin, PinStatus

logger = logging.getLogger(__name__)

POLL_FIRST_SECONDS = 1.0
POLL_MAX_SECONDS = 10.0

MSG_VIDEO_MISSING = "The pin's video file is missing from storage; upload it again"
MSG_PROCESSING_FAILED = (
    "Pinterest could not process the video{reason}. Pinterest takes MP4, MOV or M4V (H.264 or H.265), "
    "4 seconds to 15 minutes long, at most 2 GB; fix the file and upload it again"
)
MSG_STILL_PROCESSING = (
    "Pinterest was still processing the video after {seconds:.0f} s; publishing again continues "
    "with the same upload"
)


class MediaNotReady(Exception):
    """The video's media is not usable yet; ``result`` is how this publish ended."""

    def __init__(self, result: PublishResult):
        super().__init__(result.error)
        self.result = result


class StillProcessing(Exception):
    """Pinterest was still processing the video when waiting stopped (the processing budget, or
    the person's patience); the message says so. The pin is untouched: its caller decides."""


def media_ready(*, pin: Pin, context: Context, caller: Caller) -> bool:
    """Make sure Pinterest has processed the pin's video; True when ``pin.media_id`` may be
    sent (it is stored). Returns False when the pin is no longer this caller's (the lease was
    taken over). Raises ``MediaNotReady`` (with the publish's result: processing failed, the
    file is gone), ``StillProcessing`` (past the budget, or past what ``caller`` may wait) and
    ``PinterestError`` from the calls, which the caller judges as it judges a create's (none of
    them creates a pin).
    """
    if pin.media_state == MediaState.SUCCEEDED and pin.media_id:
        return True
    if pin.media_id and pin.media_state in (MediaState.REGISTERED, MediaState.UPLOADED):
        # A publish before this one got this far: did its upload arrive (its answer may have been lost)?
        try:
            state = _status(context, pin.media_id)
        except PinterestNotFound:
            state = ""
        if state in ("processing", "succeeded", "failed"):
            if not _store(pin, media_state=MediaState.UPLOADED):
                return False
        elif not _store(pin, media_id="", media_state=MediaState.NONE):
            # Registered but the upload never arrived (or the media is gone): start again.
            return False
    if not (pin.media_id and pin.media_state == MediaState.UPLOADED):
        if not _register_and_upload(pin=pin, context=context):
            return False
    return _wait(pin=pin, context=context, caller=caller)


def _register_and_upload(*, pin: Pin, context: Context) -> bool:
    name = pin.video.name or ""
    if not name or not pin.video.storage.exists(name):
        raise MediaNotReady(outcome.finish(pin=pin, status=PinStatus.ERROR, error=MSG_VIDEO_MISSING))
    with step("register"):
        registered = context.client.register_media(media_type="video")
    if not _store(pin, media_id=str(registered["media_id"]), media_state=MediaState.REGISTERED):
        return False
    filename = os.path.basename(name)
    content_type = mimetypes.guess_type(filename)[0] or "video/mp4"
    reader = None
    try:
        with pin.video.open("rb") as handle, step("upload"):
            reader = LeaseRenewingReader(handle, pin=pin)
            context.client.upload_media(
                upload_url=registered["upload_url"],
                upload_parameters=registered.get("upload_parameters") or {},
                file=cast(BinaryIO, reader), filename=filename, content_type=content_type, size=pin.video.size,
            )
    except FileNotFoundError as exc:
        raise MediaNotReady(outcome.finish(pin=pin, status=PinStatus.ERROR, error=MSG_VIDEO_MISSING)) from exc
    except Exception:
        if reader is not None and reader.lost:
            return False  # taken over mid-upload: whoever holds the pin now decides
        raise
    logger.info("pin %s: video uploaded as media %s (%s bytes)", pin.pk, pin.media_id, pin.video.size)
    return _store(pin, media_state=MediaState.UPLOADED)


class LeaseLost(Exception):
    """The pin's lease went to another publisher during the upload."""


class LeaseRenewingReader:
    """The video as the upload reads it, renewing the pin's lease every ``every`` seconds of
    reading: an upload may outlast ``PUBLISH_LEASE_SECONDS``, and recovery must not take over
    a pin whose upload is still going. A lease lost meanwhile stops the upload (``lost``)."""

    def __init__(self, handle: IO[bytes], *, pin: Pin, every: float = 30.0,
                 clock: Callable[[], float] = time.monotonic):
        self.handle, self.pin, self.every, self.clock = handle, pin, every, clock
        self.renewed = clock()
        self.lost = False

    def read(self, size: int = -1) -> bytes:
        now = self.clock()
        if now - self.renewed >= self.every:
            if not lease.renew(self.pin):
                self.lost = True
                raise LeaseLost(f"pin {self.pin.pk}: taken over during the video upload")
            self.renewed = now
        return self.handle.read(size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def _wait(*, pin: Pin, context: Context, caller: Caller) -> bool:
    budget = publishing_settings.PUBLISH_MEDIA_PROCESSING_BUDGET_SECONDS
    started, slept = time.monotonic(), 0.0
    delay = POLL_FIRST_SECONDS
    while True:
        with step("status"):
            body = context.client.get_media(pin.media_id)
        state = str(body.get("status") or "")
        if state == "succeeded":
            return _store(pin, media_state=MediaState.SUCCEEDED)
        if state == "failed":
            reason = str(body.get("failure_reason") or body.get("message") or "")
            # A failed media cannot be used again: the next publish uploads anew.
            if not _store(pin, media_id="", media_state=MediaState.FAILED):
                return False
            error = MSG_PROCESSING_FAILED.format(reason=f" ({reason})" if reason else "")
            raise MediaNotReady(outcome.finish(pin=pin, status=PinStatus.ERROR, error=error))
        waited = max(time.monotonic() - started, slept)
        if waited + delay > budget or not caller.may_wait(delay):
            # The pin keeps its media: whoever publishes it next goes on waiting for the same one.
            raise StillProcessing(MSG_STILL_PROCESSING.format(seconds=waited))
        caller.wait(delay, sleep=context.sleep)
        slept += delay
        delay = min(delay * 2, POLL_MAX_SECONDS)
        if not lease.renew(pin):
            return False


def _status(context: Context, media_id: str) -> str:
    with step("status"):
        return str(context.client.get_media(media_id).get("status") or "")


#: What each call of the media flow is, in the words of the message a person reads.
STEPS = {
    "register": "Could not register the video with Pinterest",
    "upload": "Could not upload the video to Pinterest",
    "status": "Could not check Pinterest's processing of the video",
}


def doing(exc: PinterestError) -> str:
    """What the media call that raised ``exc`` was doing, as a person reads it."""
    return STEPS.get(getattr(exc, "media_step", ""), "Could not send the video to Pinterest")


@contextmanager
def step(name: str) -> Iterator[None]:
    """Marks a PinterestError raised inside with the media flow's step (``media_step``)."""
    try:
        yield
    except PinterestError as exc:
        exc.media_step = name  # type: ignore[attr-defined]
        raise


def _store(pin: Pin, **values: str) -> bool:
    """Record the media's progress while this caller holds the pin; False when it no longer does."""
    if not lease.held(pin).update(**values):
        return False
    for name, value in values.items():
        setattr(pin, name, value)
    return True

