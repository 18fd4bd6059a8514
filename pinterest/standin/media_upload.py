"""The stand-in's S3: the ``upload_url`` that ``POST /v5/media`` hands out.

Pinterest's ``upload_url`` is an S3 presigned POST form: multipart/form-data carrying
every ``upload_parameters`` field, then the file as ``file``
(https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTForms.html). This endpoint
answers as S3 does: 204 and an empty body when the form is complete; an XML ``<Error>``
when a field is missing or differs (400 InvalidArgument, 403 AccessDenied), when the body
has no Content-Length (411, so a chunked upload fails here as it fails on S3), or when a
fault was queued (``StandinState.fail_next_upload``).

The body is read from the socket in 64 KB pieces and parsed as it streams: the file is
counted and hashed (``Media.size``, ``Media.sha256``), never held, so a 1 GB upload costs
the stand-in no memory.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from xml.sax.saxutils import escape

from pinterest.standin.api import Reply
from pinterest.standin.state import UPLOAD_PATH, Call, StandinState

_CHUNK = 64 * 1024
_MAX_HEADER_BYTES = 16 * 1024
_MAX_FIELD_BYTES = 64 * 1024
_BOUNDARY = re.compile(r'boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))', re.IGNORECASE)
_NAME = re.compile(r'(?:^|;)\s*name="([^"]*)"', re.IGNORECASE)
_FILENAME = re.compile(r'(?:^|;)\s*filename="([^"]*)"', re.IGNORECASE)


def is_media_upload(method: str, target: str) -> bool:
    return method == "POST" and target.split("?", 1)[0].startswith(UPLOAD_PATH)


class _Malformed(Exception):
    pass


class _ClientGone(Exception):
    pass


class _Body:
    """At most ``length`` bytes of the request body, read as asked."""

    def __init__(self, stream, length: int):
        self.stream, self.left = stream, length

    def read(self, size: int) -> bytes:
        if self.left <= 0:
            return b""
        data = self.stream.read(min(size, self.left))
        if not data:
            raise _ClientGone
        self.left -= len(data)
        return data

    def drain(self):
        while self.read(_CHUNK):
            pass


class _MultipartReader:
    """multipart/form-data parts, streamed: ``parts(sink_for)`` calls ``sink_for(headers)``
    for each part and feeds the part's bytes to the sink it returns."""

    def __init__(self, body: _Body, boundary: bytes):
        self.body = body
        self.delimiter = b"--" + boundary
        self.buffer = bytearray()

    def parts(self, sink_for):
        # The first delimiter may come without the CRLF that precedes the others.
        self.buffer += b"\r\n"
        if not self._until(b"\r\n" + self.delimiter, lambda _data: None):
            raise _Malformed("no multipart boundary in the body")
        while True:
            if not self._fill(2):
                raise _Malformed("the body ends inside the form")
            end = bytes(self.buffer[:2])
            del self.buffer[:2]
            if end == b"--":
                return
            if end != b"\r\n":
                raise _Malformed("a boundary is not followed by CRLF")
            raw = bytearray()

            def header_sink(data, raw=raw):
                raw.extend(data)
                if len(raw) > _MAX_HEADER_BYTES:
                    raise _Malformed("a part's headers are too long")

            if not self._until(b"\r\n\r\n", header_sink):
                raise _Malformed("the body ends inside a part's headers")
            sink = sink_for(_part_headers(bytes(raw)))
            if not self._until(b"\r\n" + self.delimiter, sink):
                raise _Malformed("the body ends inside a part")

    def _fill(self, size: int) -> bool:
        while len(self.buffer) < size:
            data = self.body.read(_CHUNK)
            if not data:
                return False
            self.buffer += data
        return True

    def _until(self, separator: bytes, sink) -> bool:
        """Feed ``sink`` everything up to ``separator`` and consume it; False at the end."""
        keep = len(separator) - 1
        while True:
            found = self.buffer.find(separator)
            if found >= 0:
                if found:
                    sink(bytes(self.buffer[:found]))
                del self.buffer[: found + len(separator)]
                return True
            if len(self.buffer) > keep:
                sink(bytes(self.buffer[: len(self.buffer) - keep]))
                del self.buffer[: len(self.buffer) - keep]
            data = self.body.read(_CHUNK)
            if not data:
                return False
            self.buffer += data


def _part_headers(raw: bytes) -> dict[str, str]:
    headers = {}
    for line in raw.decode("utf-8", "replace").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers


class _Form:
    """What the form carried: the fields before the file, the file's size and hash."""

    def __init__(self):
        self.fields: dict[str, str] = {}
        self.file_seen = False
        self.filename = ""
        self.size = 0
        self.hash = hashlib.sha256()

    def sink_for(self, headers: dict[str, str]):
        disposition = headers.get("content-disposition", "")
        name_match = _NAME.search(disposition)
        if not disposition.lower().startswith("form-data") or not name_match:
            raise _Malformed("a part has no form-data name")
        name = name_match.group(1)
        if self.file_seen:
            return lambda _data: None  # S3 ignores the fields after the file
        if name == "file":
            self.file_seen = True
            filename = _FILENAME.search(disposition)
            self.filename = filename.group(1) if filename else ""
            return self._file_data
        value = bytearray()

        def field_sink(data):
            value.extend(data)
            if len(value) > _MAX_FIELD_BYTES:
                raise _Malformed(f"the field {name!r} is too long")
            self.fields[name] = value.decode("utf-8", "replace")

        self.fields[name] = ""
        return field_sink

    def _file_data(self, data: bytes):
        self.size += len(data)
        self.hash.update(data)


def s3_error(status: int, code: str, message: str, **extra) -> Reply:
    details = "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in extra.items())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>{details}"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    )
    return Reply(status, body, headers={"Content-Type": "application/xml"})


def handle_media_upload(state: StandinState, target: str, headers: dict, stream) -> Reply:
    """Read and judge one upload from ``stream`` (the socket); record it in ``state.calls``
    (endpoint "media_upload") and, when complete, on the media (``record_upload``)."""
    headers = {name.lower(): value for name, value in headers.items()}
    media_id = target.split("?", 1)[0][len(UPLOAD_PATH) :].strip("/")
    reply = _judge_upload(state, media_id, headers, stream)
    media = state.media_map.get(media_id)
    state.record_call(
        Call(
            time=time.time(),
            method="POST",
            path=target.split("?", 1)[0],
            endpoint="media_upload",
            status=reply.status if reply.then == "answer" else None,
            outcome="answered" if reply.then == "answer" else "dropped",
            user_id=media.user_id if media else "",
        )
    )
    return reply


def _judge_upload(state: StandinState, media_id: str, headers: dict, stream) -> Reply:
    length = headers.get("content-length")
    if length is None or not length.strip().isdigit():
        # A body of unknown length (chunked) is left unread: the connection must close.
        reply = s3_error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
        reply.headers["Connection"] = "close"
        return reply
    body = _Body(stream, int(length))
    form = _Form()
    try:
        boundary = _BOUNDARY.search(headers.get("content-type", ""))
        if not headers.get("content-type", "").lower().startswith("multipart/form-data") or not boundary:
            raise _Malformed("the body is not multipart/form-data")
        _MultipartReader(body, (boundary.group(1) or boundary.group(2)).encode()).parts(form.sink_for)
        body.drain()
    except _ClientGone:
        return Reply(0, then="drop")
    except _Malformed as err:
        reply = s3_error(
            400,
            "MalformedPOSTRequest",
            f"The body of your POST request is not well-formed multipart/form-data ({err}).",
        )
        reply.headers["Connection"] = "close"
        return reply
    with state.lock:
        fault = state.take_upload_fault()
        if fault is not None:
            return Reply(0, then="drop") if fault.status is None else s3_error(fault.status, fault.code, fault.message)
        media = state.media_map.get(media_id)
        if media is None:
            return s3_error(403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: key.")
        for name, expected in media.upload_parameters.items():
            if name not in form.fields:
                return s3_error(
                    400,
                    "InvalidArgument",
                    f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the "
                    "order of the fields.",
                    ArgumentName=name,
                )
            if form.fields[name] != expected:
                return s3_error(
                    403, "AccessDenied", f'Invalid according to Policy: Policy Condition failed: ["eq", "${name}"].'
                )
        if not form.file_seen:
            return s3_error(
                400, "InvalidArgument", "POST requires exactly one file upload per request.", ArgumentName="file"
            )
        state.record_upload(media_id, size=form.size, sha256=form.hash.hexdigest(), filename=form.filename)
    return Reply(204)
