"""A multipart/form-data body that streams a file and knows its length up front.

``requests``' ``files=`` builds the whole body in memory, and a body of unknown length
goes out with chunked transfer encoding, which S3's presigned POST (where Pinterest's
``upload_url`` points) refuses. ``MultipartFileBody`` is a file-like object with
``read(n)`` and ``__len__``: ``requests`` sends it with a Content-Length and urllib3
reads it block by block, so a 1 GB video never sits in memory.

The form carries the ``fields`` first, in order, then the file: S3 ignores fields after
the file (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTForms.html).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator, Mapping
from typing import BinaryIO


class FileSizeMismatch(Exception):
    """The file gave more or fewer bytes than the size the body announced."""


def _quote(name: str) -> str:
    # The HTML form encoding of a name inside Content-Disposition's quotes.
    return name.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


class StreamedBody:
    """A request body ``requests`` sends as a stream with a Content-Length: a subclass gives
    ``__len__`` and ``_read(size)`` (up to ``size`` > 0 bytes, ``b""`` at the end)."""

    def __iter__(self) -> Iterator[bytes]:
        # requests sends an object as a stream only when it is iterable.
        while chunk := self.read(64 * 1024):
            yield chunk

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the body (all that is left when ``size`` < 0)."""
        if size is None or size < 0:
            return b"".join(iter(lambda: self._read(1024 * 1024), b""))
        return self._read(size)

    def _read(self, size: int) -> bytes:
        raise NotImplementedError


class MultipartFileBody(StreamedBody):
    """``fields`` as form fields, then ``file`` (exactly ``size`` bytes, read from its
    current position) as the ``file_field`` part. Read it once.

    ``read()`` raises ``FileSizeMismatch`` when the file ends before ``size`` bytes or has
    more: the Content-Length already sent could not be kept.
    """

    def __init__(
        self,
        *,
        fields: Mapping[str, object],
        file: BinaryIO,
        filename: str,
        content_type: str,
        size: int,
        file_field: str = "file",
    ):
        if size < 0:
            raise ValueError(f"size must not be negative, not {size}")
        self.boundary = f"pinpublisher-{secrets.token_hex(16)}"
        head = bytearray()
        for name, value in fields.items():
            head += f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote(str(name))}"\r\n\r\n'.encode()
            head += str(value).encode("utf-8") + b"\r\n"
        head += (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{_quote(file_field)}"; filename="{_quote(filename)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        self._head = io.BytesIO(bytes(head))
        self._tail = io.BytesIO(f"\r\n--{self.boundary}--\r\n".encode())
        self._file = file
        self._size = size
        self._file_left = size
        self._length = len(head) + size + len(self._tail.getvalue())

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self._length

    def _read(self, size: int) -> bytes:
        out = bytearray(self._head.read(size))
        if len(out) < size and self._file_left:
            chunk = self._file.read(min(size - len(out), self._file_left))
            if not chunk:
                raise FileSizeMismatch(
                    f"the file ended after {self._size - self._file_left} bytes, not the {self._size} announced"
                )
            self._file_left -= len(chunk)
            out += chunk
            if not self._file_left and self._file.read(1):
                raise FileSizeMismatch(f"the file has more than the {self._size} bytes announced")
        if len(out) < size and not self._file_left:
            out += self._tail.read(size - len(out))
        return bytes(out)
