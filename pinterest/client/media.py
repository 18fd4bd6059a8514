"""Media: a video registered with Pinterest, uploaded to the upload host it names, and
its processing status read back."""

from __future__ import annotations

import re
import time
from typing import BinaryIO
from urllib.parse import quote, urlsplit

import requests

from pinterest.client.transport import Transport, logger
from pinterest.errors import ErrorContext, PinterestError, PinterestUnavailable, PinterestUploadRefused
from pinterest.multipart import FileSizeMismatch, MultipartFileBody

#: What a media upload is counted as by the client's observer (``ClientConfig.observer``): the
#: upload host is not Pinterest's API and its URL holds the upload's own key, so it is named, not
#: given as a path.
UPLOAD_ENDPOINT = "media_upload"


class MediaApi(Transport):
    # --- media (https://developers.pinterest.com/docs/api-features/creating-boards-and-pins/#creating-video-pins)

    def register_media(self, *, media_type: str = "video") -> dict:
        """``POST /media``: register the intent to upload; returns Pinterest's MediaUpload
        (``media_id``, ``media_type``, ``upload_url``, ``upload_parameters``).

        An answer without ``media_id`` or ``upload_url`` is a ``PinterestError``. A lost
        answer leaves at most an unused registration behind: registering again is safe.
        """
        media = self._request("POST", "/media", json={"media_type": media_type})
        if not isinstance(media, dict) or not media.get("media_id") or not media.get("upload_url"):
            raise PinterestError(
                "Pinterest registered the media but its answer has no media_id or upload_url",
                request_id=self.last_request_id,
                body=media,
            )
        parameters = media.get("upload_parameters")
        if parameters is None:
            media["upload_parameters"] = {}
        elif not isinstance(parameters, dict):
            raise PinterestError(
                "Pinterest's upload_parameters for the media are not an object",
                request_id=self.last_request_id,
                body=media,
            )
        media["media_id"] = str(media["media_id"])
        return media

    def upload_media(
        self,
        *,
        upload_url: str,
        upload_parameters: dict,
        file: BinaryIO,
        filename: str,
        content_type: str,
        size: int,
    ) -> None:
        """POST the file to ``upload_url`` (S3, not Pinterest) as multipart/form-data: every
        ``upload_parameters`` field, then the file as ``file``, read from its current
        position. The body is streamed with a Content-Length (no chunked encoding, which S3
        refuses), so memory stays flat whatever the size. No bearer token goes there.

        Raises ``PinterestUnavailable`` (5xx, lost connection: the upload may or may not
        have landed; uploading again is harmless), ``PinterestConnectionError`` (never
        reached), ``PinterestUploadRefused`` (any other non-2xx, with S3's status, code and
        message), ``PinterestError`` when the file does not hold ``size`` bytes.
        """
        parts = urlsplit(upload_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PinterestError(f"Pinterest's upload_url {upload_url!r} is not an http(s) URL")
        body = MultipartFileBody(
            fields=upload_parameters, file=file, filename=filename, content_type=content_type, size=size
        )
        timeout = (self.config.connect_timeout, self.config.upload_read_timeout or self.config.read_timeout)
        started, answered = time.monotonic(), None
        try:
            response = self._send(
                "POST",
                upload_url,
                what=f"the upload of {filename!r}",
                peer="the media upload host",
                url_source="Pinterest's upload_url",
                data=body,
                headers={"Content-Type": body.content_type, "Accept": "*/*"},
                timeout=timeout,
            )
            answered = response.status_code
        except FileSizeMismatch as err:
            raise PinterestError(f"Could not upload {filename!r}: {err}") from err
        finally:
            if self.config.observer is not None:
                self.config.observer("POST", UPLOAD_ENDPOINT, answered, time.monotonic() - started)
        status = response.status_code
        logger.info("Media upload POST %s -> %s (%d bytes)", parts.netloc, status, len(body))
        if 200 <= status < 300:
            return
        code, message = _s3_error(response)
        context: ErrorContext = {"status_code": status, "message_detail": message, "body": response.text[:2000]}
        if status >= 500:
            raise PinterestUnavailable(f"The media upload failed: {code}", **context)
        raise PinterestUploadRefused(f"The media upload was refused: {code}", **context)

    def get_media(self, media_id: str) -> dict:
        """``GET /media/{media_id}``: Pinterest's Media (``media_id``, ``media_type``,
        ``status``: registered, processing, succeeded or failed).

        Pinterest's schema gives no reason for ``failed``. An answer without a ``status``
        string is a ``PinterestError``; an unknown status is passed on as it came.
        """
        media = self._request("GET", f"/media/{quote(str(media_id), safe='')}")
        if not isinstance(media, dict) or not isinstance(media.get("status"), str):
            raise PinterestError(
                f"Pinterest's answer about media {media_id} has no status",
                request_id=self.last_request_id,
                body=media,
            )
        return media


_S3_CODE = re.compile(r"<Code>([^<]{1,200})</Code>")
_S3_MESSAGE = re.compile(r"<Message>([^<]{1,1000})</Message>")


def _s3_error(response: requests.Response) -> tuple[str, str]:
    """(code, message) of an upload host's error answer: S3's XML ``<Error>`` when it is
    one (read with two patterns, not an XML parser), else the status and the body text."""
    text = response.text or ""
    code, message = _S3_CODE.search(text), _S3_MESSAGE.search(text)
    if code:
        return code.group(1).strip(), message.group(1).strip() if message else ""
    reason = f"HTTP {response.status_code} {response.reason or ''}".strip()
    flat = " ".join(text.split())
    return reason, (flat[:300] + "...") if len(flat) > 300 else flat
