"""The only HTTP the webhooks app makes: one POST to an endpoint, and what came back.

- Through ``pinpublisher.guarded_http`` (shared with feeds' fetcher): every connection is
  checked where it is made, on the address the host resolved to
  (``webhooks.addresses.address_problem``), so DNS rebinding cannot slip past it, and proxies
  from the environment are ignored.
- Each POST has one deadline for all of it (``WEBHOOKS_DELIVERY_DEADLINE_SECONDS``):
  resolving, connecting, the TLS handshake, sending, the status line, the headers and the
  body (``guarded_http.Deadline``), so an endpoint sending a byte every few seconds cannot
  hold the worker (which also publishes pins) for as long as it likes.
- No redirect is followed (a 3xx is a failed attempt), the connect and read timeouts are
  shorter still (``WEBHOOKS_CONNECT_TIMEOUT_SECONDS``, ``WEBHOOKS_READ_TIMEOUT_SECONDS``), and at
  most the first ``RESPONSE_KEPT_BYTES`` of the answer are read.
- A transport failure is an ``Answer`` with an ``error``, never an exception: the caller
  records it and retries later. Misconfiguration and bugs are not caught.

One ``requests`` session per thread and process, so connections to an endpoint are reused.
"""

import time
from dataclasses import dataclass

import requests

from pinpublisher.guarded_http import Deadline, describe_failure, session
from webhooks.addresses import address_problem
from webhooks.conf import RESPONSE_KEPT_BYTES, webhooks_settings

USER_AGENT = "pinpublisher-webhooks/1.0"


@dataclass(frozen=True)
class Answer:
    """How one POST ended: the status (None when none came), the answer's first bytes, and
    for a transport failure what happened."""

    status_code: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def _describe(exc: requests.RequestException) -> str:
    return describe_failure(
        exc, refused="Not sent: {problem} (webhooks go to public addresses only).",
        connect_timeout=webhooks_settings.WEBHOOKS_CONNECT_TIMEOUT_SECONDS,
        read_timeout=webhooks_settings.WEBHOOKS_READ_TIMEOUT_SECONDS,
    )


def _judge(address: object) -> str | None:
    return address_problem(address)  # type: ignore[arg-type]  # looked up per call: tests replace it


def _read_capped(response: requests.Response) -> bytes:
    kept = b""
    for chunk in response.iter_content(chunk_size=RESPONSE_KEPT_BYTES):
        kept += chunk
        if len(kept) >= RESPONSE_KEPT_BYTES:
            break
    return kept[:RESPONSE_KEPT_BYTES]


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url`` and read the answer, all within the delivery deadline; never
    follows a redirect, never raises for the network."""
    started = time.monotonic()
    status_code, kept, error = None, b"", ""
    seconds = float(webhooks_settings.WEBHOOKS_DELIVERY_DEADLINE_SECONDS)
    timeout = (min(webhooks_settings.WEBHOOKS_CONNECT_TIMEOUT_SECONDS, seconds),
               min(webhooks_settings.WEBHOOKS_READ_TIMEOUT_SECONDS, seconds))
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT, "Accept-Encoding": "identity", **headers,
    }
    with Deadline(seconds, judge=_judge) as deadline:
        try:
            response = session(USER_AGENT).post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False,
                                       stream=True)
            status_code = response.status_code
            try:
                kept = _read_capped(response)
            finally:
                # A body read to its end has already given the connection back for reuse; one
                # cut short is closed with the connection.
                response.close()
            if response.is_redirect:
                error = f"Redirect to {response.headers.get('Location', '?')!r} not followed."
        except requests.RequestException as exc:
            error = _describe(exc)
    # Shut down mid-answer, http.client may take the end of the socket for the end of the
    # headers or of a body without a length: nothing read then is trusted.
    if deadline.passed or (error and deadline.left() <= 0):
        status_code = None
        error = f"No complete answer within the {seconds:g} s deadline (connecting, sending and answering)."
    duration_ms = round((time.monotonic() - started) * 1000)
    return Answer(status_code=status_code, body=_loggable(kept.decode("utf-8", "replace")),
                  error=_loggable(error), duration_ms=duration_ms)


def _loggable(text: str) -> str:
    """At most RESPONSE_KEPT_BYTES characters, without NUL (PostgreSQL text cannot hold one).
    An error's text can carry what the peer sent too (a 64 KB status line in BadStatusLine)."""
    text = text.replace("\x00", "\ufffd")
    return text if len(text) <= RESPONSE_KEPT_BYTES else text[: RESPONSE_KEPT_BYTES - 1] + "\u2026"
