"""A JSON request body whose base64 strings are read from files as it is sent.

A pin's image goes to Pinterest inline, as base64 in the create body (``image_base64``, a
carousel's ``multiple_image_base64``, a video's ``cover_image_data``). Built as one string,
a 20 MB image costs its bytes, their base64, the JSON text and its encoding: about 100 MB,
and a carousel five times that. ``Base64File`` stands in the payload dict for such a string;
``JsonBody`` is a file-like object with ``read(n)`` and ``__len__`` that writes the JSON
around it and encodes each file in blocks as ``requests`` reads the body, with the
Content-Length known up front, so memory stays flat whatever the images weigh.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from pinterest.multipart import FileSizeMismatch, StreamedBody

# Base64 turns 3 bytes into 4 characters: blocks of a multiple of 3 bytes encode separately
# into pieces that join into the encoding of the whole.
_BLOCK = 3 * 16 * 1024


class BinaryFile(Protocol):
    """What a ``Base64File`` opens: a Python binary file, or a Django storage's ``File``."""

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def tell(self) -> int: ...
    def close(self) -> None: ...


class Base64File:
    """The base64 of a file as a JSON string value. ``open`` returns the file, new and at its
    start, on every call: a create sent again (after a 429) reads it again."""

    def __init__(self, open: Callable[[], BinaryFile]):  # noqa: A002 (the storage's own word)
        self.open = open

    def text(self) -> str:
        """The whole base64 text (a preview or a test: ``JsonBody`` never builds it)."""
        file = self.open()
        try:
            return base64.b64encode(file.read()).decode("ascii")
        finally:
            file.close()

    def __repr__(self) -> str:
        return "<Base64File>"


def has_files(value: object) -> bool:
    """Whether ``value`` (a payload) holds a ``Base64File`` anywhere."""
    if isinstance(value, Base64File):
        return True
    if isinstance(value, dict):
        return any(has_files(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(has_files(item) for item in value)
    return False


def materialized(value: Any) -> Any:
    """``value`` with every ``Base64File`` replaced by its text: the dict the body encodes.
    (A JSON value of any shape: ``Any`` is its honest type.)"""
    if isinstance(value, Base64File):
        return value.text()
    if isinstance(value, dict):
        return {key: materialized(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [materialized(item) for item in value]
    return value


class JsonBody(StreamedBody):
    """``payload`` as compact JSON, each ``Base64File`` encoded from its file while being read.

    The files are opened (and their sizes taken) when the body is made; ``close()`` closes
    them (use it as a context manager). ``read()`` raises ``FileSizeMismatch`` when a file
    changed size since: the Content-Length already sent could not be kept.
    """

    content_type = "application/json"

    def __init__(self, payload: dict[str, Any]):
        marker = f"pinpublisher-file-{secrets.token_hex(16)}"
        files: list[Base64File] = []

        def replace(value: Any) -> Any:
            if isinstance(value, Base64File):
                files.append(value)
                return f"{marker}-{len(files) - 1}"
            if isinstance(value, dict):
                return {key: replace(item) for key, item in value.items()}
            if isinstance(value, list | tuple):
                return [replace(item) for item in value]
            return value

        text = json.dumps(replace(payload), separators=(",", ":"))
        self._pieces: list[bytes | tuple[BinaryFile, int]] = []
        self._handles: list[BinaryFile] = []
        self._length = 0
        try:
            for number, file in enumerate(files):
                before, text = text.split(f'"{marker}-{number}"', 1)
                handle = file.open()
                self._handles.append(handle)
                handle.seek(0, 2)
                size = handle.tell()
                handle.seek(0)
                self._add(before.encode() + b'"')
                self._pieces.append((handle, size))
                self._length += 4 * ((size + 2) // 3)
                text = '"' + text
        except BaseException:
            self.close()
            raise
        self._add(text.encode())
        self._chunks = self._generate()
        self._pending = b""

    def _add(self, data: bytes) -> None:
        self._pieces.append(data)
        self._length += len(data)

    def __len__(self) -> int:
        return self._length

    def __enter__(self) -> JsonBody:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for handle in self._handles:
            handle.close()

    def _read(self, size: int) -> bytes:
        out = bytearray(self._pending)
        while len(out) < size:
            chunk = next(self._chunks, b"")
            if not chunk:
                break
            out += chunk
        self._pending = bytes(out[size:])
        return bytes(out[:size])

    def _generate(self) -> Iterator[bytes]:
        for piece in self._pieces:
            if isinstance(piece, bytes):
                yield piece
                continue
            handle, size = piece
            left = size
            while left:
                block = _read_exactly(handle, min(_BLOCK, left))
                if len(block) < min(_BLOCK, left):
                    raise FileSizeMismatch(f"the file ended after {size - left + len(block)} bytes, not {size}")
                left -= len(block)
                yield base64.b64encode(block)
            if handle.read(1):
                raise FileSizeMismatch(f"the file has more than the {size} bytes announced")


def _read_exactly(handle: BinaryFile, size: int) -> bytes:
    """``size`` bytes, fewer only at the end of the file (a read may return less than asked)."""
    out = bytearray()
    while len(out) < size:
        chunk = handle.read(size - len(out))
        if not chunk:
            break
        out += chunk
    return bytes(out)
