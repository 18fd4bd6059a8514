"""What a Pinterest error means for the account: one verdict for every error the client raises."""

import pytest

from pinterest.errors import (
    PinterestAuthError,
    PinterestBadRequest,
    PinterestConnectionError,
    PinterestError,
    PinterestForbidden,
    PinterestNotFound,
    PinterestRateLimitError,
    PinterestUnavailable,
    PinterestUploadRefused,
)
from pinterest.services.verdicts import Kind, Verdict, verdict_for

BACKOFF = 7.0


def test_a_429_with_retry_after_waits_the_seconds_pinterest_asked():
    exc = PinterestRateLimitError("Too many requests", status_code=429, retry_after=42.0)
    assert verdict_for(exc, backoff=BACKOFF) == Verdict(Kind.WAIT, "Too many requests", wait=42.0)


def test_a_429_without_retry_after_waits_the_backoff_passed_in():
    exc = PinterestRateLimitError("Too many requests", status_code=429)
    assert verdict_for(exc, backoff=BACKOFF).wait == BACKOFF


def test_a_429_with_retry_after_zero_waits_nothing_rather_than_the_backoff():
    exc = PinterestRateLimitError("Too many requests", status_code=429, retry_after=0.0)
    assert verdict_for(exc, backoff=BACKOFF) == Verdict(Kind.WAIT, "Too many requests", wait=0.0)


@pytest.mark.parametrize(
    ("message", "detail"),
    [("Blocked for spam", ""), ("Too many requests", "Your request was identified as SPAM")],
)
def test_a_429_that_names_spam_is_a_cool_down_not_a_wait(message, detail):
    exc = PinterestRateLimitError(message, status_code=429, message_detail=detail, retry_after=5.0)
    verdict = verdict_for(exc, backoff=BACKOFF)
    assert verdict.kind == Kind.SPAM_COOL_DOWN and verdict.wait == 0.0
    assert verdict.message == exc.user_message


def test_a_rejected_token_asks_for_a_reconnect():
    exc = PinterestAuthError("Authentication failed", status_code=401, pinterest_code=2)
    assert verdict_for(exc, backoff=BACKOFF) == Verdict(Kind.RECONNECT, "Authentication failed")


def test_a_request_that_never_reached_pinterest_is_unreachable():
    exc = PinterestConnectionError("Could not connect to api.pinterest.com: refused")
    assert verdict_for(exc, backoff=BACKOFF).kind == Kind.UNREACHABLE


@pytest.mark.parametrize("status", [500, 503, None])
def test_a_lost_answer_or_a_5xx_is_unknown_so_a_write_is_looked_for(status):
    exc = PinterestUnavailable("Service unavailable", status_code=status)
    assert verdict_for(exc, backoff=BACKOFF) == Verdict(Kind.UNKNOWN, "Service unavailable")


@pytest.mark.parametrize(
    "exc",
    [
        PinterestBadRequest("Invalid parameters", status_code=400, pinterest_code=1),
        PinterestForbidden("Image too small", status_code=403, pinterest_code=233),
        PinterestNotFound("Board not found", status_code=404, pinterest_code=40),
        PinterestError("Could not send the pin's image: gone"),
    ],
)
def test_a_refusal_of_this_request_gives_up_with_pinterests_words(exc):
    verdict = verdict_for(exc, backoff=BACKOFF)
    assert verdict == Verdict(Kind.GIVE_UP, exc.user_message)
    assert not verdict.upload_host


def test_a_refusal_carries_pinterests_detail_for_the_person():
    exc = PinterestForbidden("Forbidden", status_code=403, message_detail="Image too small")
    assert verdict_for(exc, backoff=BACKOFF).message == "Forbidden (Image too small)"


def test_the_upload_hosts_refusal_gives_up_and_says_it_came_from_the_upload_host():
    exc = PinterestUploadRefused("The media upload was refused: AccessDenied", status_code=403,
                                 message_detail="Policy expired")
    verdict = verdict_for(exc, backoff=BACKOFF)
    assert verdict.kind == Kind.GIVE_UP and verdict.upload_host
    assert verdict.message == "The media upload was refused: AccessDenied (Policy expired)"


def test_a_verdict_is_a_value():
    verdict = verdict_for(PinterestAuthError("no"), backoff=BACKOFF)
    assert verdict == Verdict(Kind.RECONNECT, "no")
    with pytest.raises(AttributeError):
        verdict.kind = Kind.WAIT  # type: ignore[misc]
