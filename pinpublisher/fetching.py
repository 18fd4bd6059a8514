"""A safe GET of a URL a user gave (a feed, an article page): untrusted input from the internet.

On ``pinpublisher.guarded_http``, as webhooks' sender is, so both keep one set of rules:

- every connection is checked on the address it resolved to (the caller's ``judge``), and each
  redirect is followed by hand (``allow_redirects=False``), its ``Location`` checked as the first
  URL was (``url_problem``) and its connection judged again, at most ``max_redirects`` hops;
- one deadline for everything (all hops, every read of the body);
- the body is read in chunks and given up past ``max_bytes``; gzip and deflate are asked for and
  decompressed here, by ``zlib`` with ``max_length``, so a small compressed body that would
  inflate past ``max_bytes`` (a "zip bomb") is refused before it is held in memory;
- conditional requests: ``If-None-Match`` / ``If-Modified-Since`` from the last answer's
  ``ETag`` / ``Last-Modified``; a 304 comes back as ``not_modified``.

Never raises for the network or the peer: a failure is a ``Fetched`` with an ``error`` the
caller can show. Misconfiguration and bugs are not caught.
"""

import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

import requests
import urllib3

from pinpublisher.guarded_http import Deadline, Judge, describe_failure, session

CHUNK_BYTES = 64 * 1024
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchPolicy:
    """What a fetch may do: the address rules, the time, the size and the redirects allowed."""

    judge: Judge
    #: Why a URL (the first or a redirect's) may not be fetched, or None.
    url_problem: Callable[[str], str | None]
    deadline_seconds: float
    max_bytes: int
    max_redirects: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    user_agent: str = "pinpublisher-fetch/1.0"
    accept: str = "*/*"


@dataclass(frozen=True)
class Fetched:
    """How one GET ended. ``status_code`` is the last hop's (None when none came); ``url`` the
    address the body came from (after redirects)."""

    url: str
    status_code: int | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""
    duration_ms: int = 0

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304 and not self.error

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class TooLarge(Exception):
    """The body (as sent, or once decompressed) is past the limit."""


def _decoder(encoding: str) -> "zlib._Decompress | None":
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        # zlib-wrapped, as RFC 9110 says.
        return zlib.decompressobj(zlib.MAX_WBITS)
    raise ValueError(f"The answer is compressed as {encoding!r}, which was not asked for.")


def _inflate(decoder: "zlib._Decompress", chunk: bytes, room: int) -> Iterator[bytes]:
    """``chunk`` decompressed, at most ``room + 1`` bytes at a time (never a bomb's whole output)."""
    data = chunk
    while data:
        out = decoder.decompress(data, room + 1)
        yield out
        data = decoder.unconsumed_tail
        if not out and data:
            break


def _read_body(response: requests.Response, max_bytes: int) -> bytes:
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    decoder = _decoder(encoding)
    declared = response.headers.get("Content-Length", "")
    if decoder is None and declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"The answer is {int(declared):,} bytes; at most {max_bytes:,} are read.")
    kept = bytearray()
    received = 0
    for chunk in response.raw.stream(CHUNK_BYTES, decode_content=False):
        received += len(chunk)
        if received > max_bytes:
            raise TooLarge(f"The answer is over {max_bytes:,} bytes; at most {max_bytes:,} are read.")
        if decoder is None:
            kept += chunk
            continue
        for out in _inflate(decoder, chunk, max_bytes - len(kept)):
            kept += out
            if len(kept) > max_bytes:
                raise TooLarge(f"The answer inflates past {max_bytes:,} bytes ({encoding}); refused.")
    return bytes(kept)


def _conditional_headers(policy: FetchPolicy, etag: str, last_modified: str) -> dict[str, str]:
    headers = {"Accept": policy.accept, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _hop(url: str, policy: FetchPolicy, headers: dict[str, str]) -> tuple[requests.Response, bytes | None]:
    """One GET; the body is read only for a final answer (not a redirect, not a 304)."""
    response = session(policy.user_agent).get(
        url, headers=headers, timeout=(policy.connect_timeout, policy.read_timeout), allow_redirects=False,
        stream=True,
    )
    try:
        if response.status_code in REDIRECTS or response.status_code == 304:
            return response, None
        return response, _read_body(response, policy.max_bytes)
    finally:
        response.close()


def fetch(url: str, *, policy: FetchPolicy, etag: str = "", last_modified: str = "") -> Fetched:
    """GET ``url`` under ``policy``; conditional when ``etag`` or ``last_modified`` is given."""
    started = time.monotonic()

    def ended(**kwargs: object) -> Fetched:
        return Fetched(duration_ms=round((time.monotonic() - started) * 1000), **kwargs)  # type: ignore[arg-type]

    problem = policy.url_problem(url)
    if problem:
        return ended(url=url, error=f"Not fetched: {problem}")
    headers = _conditional_headers(policy, etag, last_modified)
    late = f"No complete answer within the {policy.deadline_seconds:g} s deadline."
    with Deadline(policy.deadline_seconds, judge=policy.judge) as deadline:
        try:
            fetched = _follow(url, policy, headers, ended)
        except (TooLarge, ValueError) as exc:
            fetched = ended(url=url, error=str(exc))
        except zlib.error as exc:
            fetched = ended(url=url, error=f"The compressed answer is broken: {exc}")
        except (requests.RequestException, urllib3.exceptions.HTTPError, TimeoutError) as exc:
            if deadline.passed or deadline.left() <= 0 or isinstance(exc, TimeoutError):
                return ended(url=url, error=late)
            if isinstance(exc, urllib3.exceptions.HTTPError):
                return ended(url=url, error=f"The answer broke off: {exc}")
            return ended(url=url, error=describe_failure(
                exc, refused="Not fetched: {problem} (only public addresses are fetched).",
                connect_timeout=policy.connect_timeout, read_timeout=policy.read_timeout,
            ))
    # Sockets shut down mid-answer can look like the end of a body without a length: not trusted.
    return ended(url=url, error=late) if deadline.passed else fetched


def _follow(url: str, policy: FetchPolicy, headers: dict[str, str], ended: Callable[..., Fetched]) -> Fetched:
    for _ in range(policy.max_redirects + 1):
        response, body = _hop(url, policy, headers)
        if body is not None or response.status_code not in REDIRECTS:
            return ended(url=url, status_code=response.status_code, body=body or b"",
                         headers={k.lower(): v for k, v in response.headers.items()})
        target = urljoin(url, response.headers.get("Location", ""))
        problem = policy.url_problem(target)
        if problem:
            return ended(url=url, status_code=response.status_code,
                         error=f"Redirected to {target}, not followed: {problem}")
        url = target
    return ended(url=url, error=f"More than {policy.max_redirects} redirects; not followed further.")
