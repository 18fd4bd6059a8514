"""The API's request parsers: DRF's, with the bounds untrusted bytes need.

- JSON is refused (400 ``parse_error``) when arrays and objects nest deeper than
  ``MAX_JSON_DEPTH``: Python's decoder recurses once per level, so a body of 100,000 ``[``
  (200 KB) ended in a RecursionError, a 500, and nothing this API takes nests beyond a few levels.
  The depth is measured before decoding, in one pass over the text.
- multipart is refused (400 ``parse_error``) when the body does not end with its closing boundary
  (``--<boundary>--``): Django's parser keeps whatever parts it read from a body cut short, so a
  truncated upload was taken as if it were the whole request.

``pinpublisher.api.views.TenantApi`` uses these for every endpoint; ``loads`` is the same JSON rule for
JSON carried inside a form field (a carousel in multipart).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import IO

from django.utils.http import parse_header_parameters
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, FormParser, JSONParser, MultiPartParser, get_encoding
from rest_framework.utils import json

#: The deepest nesting of arrays and objects a JSON body may have (a carousel item in a body is 3).
MAX_JSON_DEPTH = 32

# A JSON string (its brackets are text, not structure), or a run of anything but brackets.
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in ``text`` (0 for a scalar). Exact for valid JSON; for
    text that is not JSON it is some number, and the decoder refuses the text anyway."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0)


def loads(text: str, *, max_depth: int = MAX_JSON_DEPTH, **kwargs: object) -> object:
    """``json.loads`` that first refuses nesting deeper than ``max_depth``. Raises ValueError
    (``json.JSONDecodeError`` for text that is not JSON) with the reason."""
    depth = json_depth(text)
    if depth > max_depth:
        raise ValueError(f"arrays and objects are nested {depth} levels deep; at most {max_depth} are accepted")
    try:
        return json.loads(text, **kwargs)
    except RecursionError:  # not reachable within max_depth; a 400 all the same if it were
        raise ValueError("arrays and objects are nested too deeply") from None


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing nesting deeper than ``MAX_JSON_DEPTH``."""

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Mapping[str, object] | None = None
    ) -> object:
        encoding = get_encoding(parser_context or {})
        parse_constant = json.strict_constant if self.strict else None
        try:
            return loads(stream.read().decode(encoding), parse_constant=parse_constant)
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors too
            raise ParseError(f"JSON parse error - {exc}") from None


class _ClosingBoundaryWatch:
    """A stream that notes whether the bytes read through it contain the multipart closing
    delimiter (CRLF, ``--``, the boundary, ``--``; or the same at the very start of the body)."""

    def __init__(self, stream: IO[bytes], boundary: bytes) -> None:
        self.stream = stream
        self.delimiter = b"\r\n--" + boundary + b"--"
        self.tail = b"\r\n"  # so that a body that is only the closing delimiter counts
        self.closed = False

    def read(self, *args: int) -> bytes:
        chunk = self.stream.read(*args)
        if chunk and not self.closed:
            seen = self.tail + chunk
            self.closed = self.delimiter in seen
            self.tail = seen[-(len(self.delimiter) - 1):]
        return chunk


class ClosedMultiPartParser(MultiPartParser):
    """DRF's multipart parser, refusing a body that ends before its closing boundary."""

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Mapping[str, object] | None = None
    ) -> DataAndFiles:
        boundary = parse_header_parameters(media_type or "")[1].get("boundary", "")
        watched = _ClosingBoundaryWatch(stream, boundary.encode("ascii", "replace"))
        parsed = super().parse(watched, media_type, parser_context)
        if not watched.closed:
            raise ParseError(
                f"Multipart form parse error - the body ends before its closing boundary (--{boundary}--): "
                "it was cut short; send the whole request again."
            )
        return parsed


#: Every endpoint's parsers: JSON, form-encoded (what ``curl -d`` sends) and multipart (uploads).
PARSER_CLASSES = [BoundedJSONParser, FormParser, ClosedMultiPartParser]
