"""The ``Pinpublisher-Signature`` header: Stripe's scheme, so existing verifier code works.

    Pinpublisher-Signature: t=1767225600,v1=5257a869...,v1=9f0e...

``v1`` is the hex HMAC-SHA256, keyed with the endpoint's secret, of ``"<t>.<raw body>"``.
There is one ``v1`` per secret that signs (two during the day after a rotation); a receiver
accepts the request when any of them matches its secret and ``t`` is recent. Pure functions:
no database, no HTTP.
"""

import hashlib
import hmac
import time
from collections.abc import Iterable

SIGNATURE_HEADER = "Pinpublisher-Signature"
EVENT_ID_HEADER = "Pinpublisher-Event-Id"
SCHEME = "v1"
#: What a receiver should allow between ``t`` and its own clock (the README's receiver uses it).
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The signature header is missing, malformed, too old, or matches no secret."""


def compute(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(*, secrets: Iterable[str], body: bytes, timestamp: int) -> str:
    """``t=<timestamp>,v1=<hmac>`` with one ``v1`` per secret, in the order given."""
    return ",".join([f"t={timestamp}", *(f"{SCHEME}={compute(secret, timestamp, body)}" for secret in secrets)])


def verify(*, header: str, body: bytes, secret: str, tolerance: int = DEFAULT_TOLERANCE_SECONDS,
           now: float | None = None) -> int:
    """Check a received request as a receiver does; returns its timestamp.

    Raises SignatureError when the header is malformed, ``t`` is further than ``tolerance``
    seconds from ``now``, or no ``v1`` is the HMAC of ``body`` under ``secret``.
    """
    timestamp, signatures = None, []
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError("The signature header has no timestamp or no v1 signature.")
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"The signature's timestamp is {now - timestamp:.0f} s old (tolerance {tolerance} s).")
    expected = compute(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, signature) for signature in signatures):
        raise SignatureError("No signature matches the secret.")
    return timestamp
