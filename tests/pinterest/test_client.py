"""PinterestClient against canned answers (``responses``): what it sends, what it returns,
and which error every failure becomes."""

import base64
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from pinterest.client import PinterestClient, TokenGrant, parse_retry_after
from pinterest.errors import (
    PinterestAuthError,
    PinterestBadRequest,
    PinterestConfigurationError,
    PinterestConnectionError,
    PinterestError,
    PinterestForbidden,
    PinterestNotFound,
    PinterestRateLimitError,
    PinterestUnavailable,
)
from pinterest.models import REQUIRED_SCOPES
from pinterest.services.clients import USER_AGENT
from tests.factories import client_config

from .conftest import API_BASE, APP_ID, APP_SECRET, REDIRECT_URI

TOKEN = "pina_test_access_token_secret"
PAYLOAD = {
    "board_id": "549755885175",
    "title": "Pumpkin soup",
    "media_source": {"source_type": "image_url", "url": "https://blog.example.com/soup.jpg"},
}
PIN = {"id": "813744226420795884", "created_at": "2025-01-02T03:04:05", "board_id": "549755885175"}


def client():
    return PinterestClient(client_config(), TOKEN)


def add(mock, method, path, status=200, json=None, body=None, headers=None, **kwargs):
    headers = {"x-pinterest-rid": "rid-123", **(headers or {})}
    if body is None and json is None:
        json = {}
    return mock.add(method, f"{API_BASE}{path}", status=status, json=json, body=body, headers=headers, **kwargs)


def refused():
    """What requests raises when nothing listens on the port."""
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.exceptions.ConnectionError(MaxRetryError(None, f"{API_BASE}/pins", reason))


def reset_after_send():
    """What requests raises when the server closes the connection instead of answering."""
    return requests.exceptions.ConnectionError(
        ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    )


# --- requests and successes ---------------------------------------------------------------


def test_get_user_account_sends_bearer_token_user_agent_and_both_timeouts(pinterest_api):
    add(pinterest_api, "GET", "/user_account", json={"id": "42", "username": "soupblog"})

    account = client().get_user_account()

    assert account == {"id": "42", "username": "soupblog"}
    request = pinterest_api.calls[0].request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("pinpublisher/")
    assert request.req_kwargs["timeout"] == (4, 9)


def test_base_url_is_read_from_settings_when_the_client_is_built(pinterest_api, settings):
    settings.PINTEREST_API_BASE = "https://api-sandbox.pinterest.com/v5"
    pinterest_api.add("GET", "https://api-sandbox.pinterest.com/v5/user_account", json={"id": "1"})

    assert client().get_user_account() == {"id": "1"}


def test_a_client_keeps_the_configuration_it_was_built_with_when_the_settings_change(pinterest_api, settings):
    api = client()
    settings.PINTEREST_API_BASE = "https://api-sandbox.pinterest.com/v5"
    settings.PINTEREST_CONNECT_TIMEOUT_SECONDS, settings.PINTEREST_READ_TIMEOUT_SECONDS = 1, 2
    add(pinterest_api, "GET", "/user_account", json={"id": "42"})

    assert api.get_user_account() == {"id": "42"}
    assert pinterest_api.calls[0].request.req_kwargs["timeout"] == (4, 9)


def test_last_request_id_is_the_x_pinterest_rid_of_the_last_response(pinterest_api):
    add(pinterest_api, "GET", "/user_account", headers={"x-pinterest-rid": "abc987"})
    api = client()

    api.get_user_account()

    assert api.last_request_id == "abc987"


def test_list_boards_follows_the_bookmark_across_three_pages(pinterest_api):
    pages = [
        ({"items": [{"id": "1"}, {"id": "2"}], "bookmark": "b1"}, {"page_size": "250"}),
        ({"items": [{"id": "3"}], "bookmark": "b2"}, {"page_size": "250", "bookmark": "b1"}),
        ({"items": [{"id": "4"}], "bookmark": None}, {"page_size": "250", "bookmark": "b2"}),
    ]
    for page, params in pages:
        add(pinterest_api, "GET", "/boards", json=page, match=[responses.matchers.query_param_matcher(params)])

    boards = client().list_boards()

    assert [b["id"] for b in boards] == ["1", "2", "3", "4"]
    assert len(pinterest_api.calls) == 3


def test_list_boards_refuses_a_bookmark_that_repeats(pinterest_api):
    add(pinterest_api, "GET", "/boards", json={"items": [{"id": "1"}], "bookmark": "same"})
    add(pinterest_api, "GET", "/boards", json={"items": [{"id": "2"}], "bookmark": "same"})

    with pytest.raises(PinterestError, match="repeated a bookmark"):
        client().list_boards()


def test_list_boards_raises_when_the_answer_has_no_items(pinterest_api):
    add(pinterest_api, "GET", "/boards", json={"boards": []})

    with pytest.raises(PinterestError, match="no list of items"):
        client().list_boards()


def test_list_board_pins_keeps_pinterest_order_and_stops_after_max_pages(pinterest_api):
    add(pinterest_api, "GET", "/boards/77/pins", json={"items": [{"id": "9"}, {"id": "8"}], "bookmark": "p2"})
    add(pinterest_api, "GET", "/boards/77/pins", json={"items": [{"id": "7"}, {"id": "6"}], "bookmark": "p3"})

    pins = client().list_board_pins("77", page_size=2, max_pages=2)

    assert [p["id"] for p in pins] == ["9", "8", "7", "6"]
    assert parse_qs(urlsplit(pinterest_api.calls[0].request.url).query) == {"page_size": ["2"]}


def test_iter_board_pins_fetches_the_next_page_only_when_needed(pinterest_api):
    add(pinterest_api, "GET", "/boards/77/pins", json={"items": [{"id": "9"}], "bookmark": "p2"})

    first = next(client().iter_board_pins("77"))

    assert first == {"id": "9"}
    assert len(pinterest_api.calls) == 1


def test_create_pin_posts_the_payload_as_json_and_returns_the_pin(pinterest_api):
    add(pinterest_api, "POST", "/pins", status=201, json=PIN, match=[responses.matchers.json_params_matcher(PAYLOAD)])

    pin = client().create_pin(PAYLOAD)

    assert pin == PIN
    assert pinterest_api.calls[0].request.headers["Content-Type"] == "application/json"


def test_create_pin_answer_without_a_pin_id_is_an_unknown_outcome(pinterest_api):
    add(pinterest_api, "POST", "/pins", status=201, json={"created_at": "2025-01-02T03:04:05"})

    with pytest.raises(PinterestUnavailable) as caught:
        client().create_pin(PAYLOAD)

    assert caught.value.outcome_unknown


def test_create_pin_2xx_with_a_body_that_is_not_json_is_an_unknown_outcome(pinterest_api):
    add(pinterest_api, "POST", "/pins", status=201, body="<html>ok</html>")

    with pytest.raises(PinterestUnavailable, match="not JSON") as caught:
        client().create_pin(PAYLOAD)

    assert caught.value.status_code == 201


def test_create_pin_2xx_with_json_nested_too_deep_is_an_unknown_outcome_not_a_recursion_error(pinterest_api):
    add(pinterest_api, "POST", "/pins", status=201, body="[" * 200_000 + "]" * 200_000)

    with pytest.raises(PinterestUnavailable, match="not JSON") as caught:
        client().create_pin(PAYLOAD)

    assert caught.value.status_code == 201


def test_error_with_json_nested_too_deep_is_still_readable(pinterest_api):
    add(pinterest_api, "POST", "/pins", status=400, body='{"a":' * 200_000 + "1" + "}" * 200_000)

    with pytest.raises(PinterestBadRequest) as caught:
        client().create_pin(PAYLOAD)

    assert caught.value.status_code == 400
    assert "not JSON" in caught.value.message_detail


def test_answer_larger_than_the_limit_is_an_unknown_outcome_and_is_not_read_whole(pinterest_api, settings):
    settings.PINTEREST_MAX_ANSWER_BYTES = 1000
    add(pinterest_api, "POST", "/pins", status=201, json={**PIN, "note": "x" * 5000})

    with pytest.raises(PinterestUnavailable, match="more than 1000 bytes") as caught:
        client().create_pin(PAYLOAD)

    assert caught.value.outcome_unknown


def test_error_answer_larger_than_the_limit_is_an_unknown_outcome(pinterest_api, settings):
    settings.PINTEREST_MAX_ANSWER_BYTES = 1000
    add(pinterest_api, "GET", "/boards", status=404, body="x" * 5000)

    with pytest.raises(PinterestUnavailable, match="more than 1000 bytes"):
        client().list_boards()


def test_answer_within_the_limit_is_read_as_usual(pinterest_api, settings):
    settings.PINTEREST_MAX_ANSWER_BYTES = 1000
    add(pinterest_api, "POST", "/pins", status=201, json=PIN)

    assert client().create_pin(PAYLOAD) == PIN


def test_call_without_an_access_token_raises_auth_error_without_calling_pinterest(pinterest_api):
    with pytest.raises(PinterestAuthError, match="No access token"):
        PinterestClient(client_config()).get_user_account()

    assert len(pinterest_api.calls) == 0


def test_no_log_record_contains_the_token_or_the_body(pinterest_api, caplog):
    caplog.set_level(logging.DEBUG)
    add(pinterest_api, "POST", "/pins", status=201, json=PIN)

    client().create_pin(PAYLOAD)

    assert "POST /pins -> 201" in caplog.text
    assert TOKEN not in caplog.text
    assert "Pumpkin soup" not in caplog.text


# --- error answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, PinterestBadRequest),
        (401, PinterestAuthError),
        (403, PinterestForbidden),
        (404, PinterestNotFound),
        (409, PinterestError),
        (500, PinterestUnavailable),
        (502, PinterestUnavailable),
        (503, PinterestUnavailable),
    ],
)
def test_create_pin_maps_each_error_status_to_its_error_with_pinterest_context(pinterest_api, status, error_class):
    add(pinterest_api, "POST", "/pins", status=status, json={"code": 233, "message": "Image too small."})

    with pytest.raises(error_class) as caught:
        client().create_pin(PAYLOAD)

    error = caught.value
    assert type(error) is error_class
    assert (error.status_code, error.pinterest_code, error.message, error.request_id) == (
        status,
        233,
        "Image too small.",
        "rid-123",
    )
    assert f"HTTP {status}" in str(error) and "code 233" in str(error) and "rid-123" in str(error)
    assert error.outcome_unknown is (status >= 500)


def test_create_pin_maps_401_to_auth_error(pinterest_api):
    add(pinterest_api, "POST", "/pins", status=401, json={"code": 2, "message": "Authentication failed."})

    with pytest.raises(PinterestAuthError, match="Authentication failed"):
        client().create_pin(PAYLOAD)


def test_create_pin_maps_429_with_retry_after_seconds(pinterest_api):
    add(
        pinterest_api,
        "POST",
        "/pins",
        status=429,
        json={"code": 8, "message": "This request exceeded a rate limit."},
        headers={"Retry-After": "7"},
    )

    with pytest.raises(PinterestRateLimitError) as caught:
        client().create_pin(PAYLOAD)

    assert caught.value.retry_after == 7.0
    assert caught.value.pinterest_code == 8
    assert not caught.value.is_spam_block


def test_create_pin_maps_429_with_retry_after_as_an_http_date(pinterest_api):
    when = datetime.now(UTC) + timedelta(seconds=120)
    add(
        pinterest_api,
        "POST",
        "/pins",
        status=429,
        json={"code": 8, "message": "Slow down."},
        headers={"Retry-After": format_datetime(when, usegmt=True)},
    )

    with pytest.raises(PinterestRateLimitError) as caught:
        client().create_pin(PAYLOAD)

    assert 100 < caught.value.retry_after <= 120


def test_create_pin_maps_429_without_retry_after_to_none(pinterest_api):
    add(pinterest_api, "POST", "/pins", status=429, json={"code": 8, "message": "Slow down."})

    with pytest.raises(PinterestRateLimitError) as caught:
        client().create_pin(PAYLOAD)

    assert caught.value.retry_after is None


def test_create_pin_429_spam_block_keeps_message_detail(pinterest_api):
    add(
        pinterest_api,
        "POST",
        "/pins",
        status=429,
        json={
            "code": 8,
            "message": "This request exceeded a rate limit.",
            "message_detail": "Your request was flagged as spam.",
        },
    )

    with pytest.raises(PinterestRateLimitError) as caught:
        client().create_pin(PAYLOAD)

    assert caught.value.message_detail == "Your request was flagged as spam."
    assert caught.value.is_spam_block


def test_error_with_a_body_that_is_not_json_is_still_readable(pinterest_api):
    add(pinterest_api, "POST", "/pins", status=502, body="<html><body>Bad   gateway</body></html>")

    with pytest.raises(PinterestUnavailable) as caught:
        client().create_pin(PAYLOAD)

    error = caught.value
    assert error.pinterest_code is None
    assert error.message == "HTTP 502 Bad Gateway"
    assert "Bad gateway" in error.message_detail
    assert "HTTP 502" in str(error)


def test_error_with_an_empty_body_is_still_readable(pinterest_api):
    add(pinterest_api, "GET", "/user_account", status=403, body="")

    with pytest.raises(PinterestForbidden) as caught:
        client().get_user_account()

    assert caught.value.message == "HTTP 403 Forbidden"
    assert caught.value.message_detail == "empty response body"


def test_a_redirect_is_not_followed(pinterest_api):
    add(pinterest_api, "POST", "/pins", status=302, body="", headers={"Location": "https://elsewhere.example/"})

    with pytest.raises(PinterestError) as caught:
        client().create_pin(PAYLOAD)

    assert caught.value.status_code == 302
    assert len(pinterest_api.calls) == 1


# --- transport failures -------------------------------------------------------------------


def test_read_timeout_is_an_unknown_outcome(pinterest_api):
    cause = requests.exceptions.ReadTimeout("read timed out")
    add(pinterest_api, "POST", "/pins", body=cause)

    with pytest.raises(PinterestUnavailable) as caught:
        client().create_pin(PAYLOAD)

    assert caught.value.outcome_unknown
    assert caught.value.__cause__ is cause


def test_connection_refused_raises_connection_error(pinterest_api):
    cause = refused()
    add(pinterest_api, "POST", "/pins", body=cause)

    with pytest.raises(PinterestConnectionError) as caught:
        client().create_pin(PAYLOAD)

    assert not caught.value.outcome_unknown
    assert caught.value.__cause__ is cause


def test_connect_timeout_raises_connection_error(pinterest_api):
    add(pinterest_api, "GET", "/user_account", body=requests.exceptions.ConnectTimeout("connect timed out"))

    with pytest.raises(PinterestConnectionError):
        client().get_user_account()


def test_connection_reset_after_sending_is_an_unknown_outcome(pinterest_api):
    add(pinterest_api, "POST", "/pins", body=reset_after_send())

    with pytest.raises(PinterestUnavailable) as caught:
        client().create_pin(PAYLOAD)

    assert isinstance(caught.value.__cause__, requests.exceptions.ConnectionError)


def test_answer_broken_off_mid_body_is_an_unknown_outcome(pinterest_api):
    add(pinterest_api, "POST", "/pins", body=requests.exceptions.ChunkedEncodingError("broken"))

    with pytest.raises(PinterestUnavailable):
        client().create_pin(PAYLOAD)


def test_connection_error_of_unknown_cause_counts_as_an_unknown_outcome(pinterest_api):
    add(pinterest_api, "POST", "/pins", body=requests.exceptions.ConnectionError("something odd"))

    with pytest.raises(PinterestUnavailable):
        client().create_pin(PAYLOAD)


def test_base_url_that_is_not_a_url_is_a_configuration_error(pinterest_api, settings):
    settings.PINTEREST_API_BASE = "api.pinterest.com/v5"

    with pytest.raises(PinterestConfigurationError, match="PINTEREST_API_BASE"):
        client().get_user_account()


# --- OAuth --------------------------------------------------------------------------------


def test_authorize_url_carries_client_id_redirect_uri_code_scopes_and_state(pinterest_app):
    url = PinterestClient(client_config()).authorize_url("state-xyz")

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.pinterest.com/oauth/"
    assert dict(parse_qsl(parts.query)) == {
        "client_id": APP_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": ",".join(REQUIRED_SCOPES),
        "state": "state-xyz",
    }


@pytest.mark.parametrize("missing", ["PINTEREST_APP_ID", "PINTEREST_REDIRECT_URI"])
def test_authorize_url_without_app_settings_raises_configuration_error(pinterest_app, missing):
    setattr(pinterest_app, missing, "")

    with pytest.raises(PinterestConfigurationError, match=missing):
        PinterestClient(client_config()).authorize_url("s")


def token_answer(**extra):
    return {
        "access_token": "pina_new_access",
        "refresh_token": "pinr_new_refresh",
        "response_type": "authorization_code",
        "token_type": "bearer",
        "expires_in": 2592000,
        "refresh_token_expires_in": 5184000,
        "refresh_token_expires_at": 1767225600,
        "scope": "boards:read,boards:write,pins:read,pins:write,user_accounts:read",
        **extra,
    }


def test_exchange_code_sends_basic_auth_and_the_form_and_returns_the_grant(pinterest_api):
    add(pinterest_api, "POST", "/oauth/token", json=token_answer())

    grant = PinterestClient(client_config()).exchange_code("the-code")

    request = pinterest_api.calls[0].request
    expected_basic = base64.b64encode(f"{APP_ID}:{APP_SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected_basic}"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert dict(parse_qsl(request.body)) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": REDIRECT_URI,
        "continuous_refresh": "true",
    }
    assert grant == TokenGrant(
        access_token="pina_new_access",
        refresh_token="pinr_new_refresh",
        expires_in=2592000,
        refresh_token_expires_in=5184000,
        refresh_token_expires_at=datetime(2026, 1, 1, tzinfo=UTC),
        scope="boards:read,boards:write,pins:read,pins:write,user_accounts:read",
        token_type="bearer",
    )


def test_refresh_sends_only_the_grant_type_and_refresh_token_and_returns_the_rotated_token(pinterest_api):
    add(
        pinterest_api,
        "POST",
        "/oauth/token",
        json=token_answer(response_type="refresh_token", refresh_token="pinr_rotated"),
    )

    grant = PinterestClient(client_config()).refresh_access_token("pinr_old")

    request = pinterest_api.calls[0].request
    expected_basic = base64.b64encode(f"{APP_ID}:{APP_SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected_basic}"
    assert dict(parse_qsl(request.body)) == {"grant_type": "refresh_token", "refresh_token": "pinr_old"}
    assert grant.refresh_token == "pinr_rotated"
    assert grant.access_token == "pina_new_access"


def test_token_call_never_sends_a_bearer_token(pinterest_api):
    add(pinterest_api, "POST", "/oauth/token", json=token_answer())

    PinterestClient(client_config(), TOKEN).refresh_access_token("pinr_old")

    assert TOKEN not in pinterest_api.calls[0].request.headers["Authorization"]


def test_refresh_answer_without_refresh_token_gives_an_empty_one(pinterest_api):
    answer = token_answer()
    for key in ("refresh_token", "refresh_token_expires_in", "refresh_token_expires_at"):
        del answer[key]
    add(pinterest_api, "POST", "/oauth/token", json=answer)

    grant = PinterestClient(client_config()).refresh_access_token("pinr_old")

    assert grant.refresh_token == ""
    assert grant.refresh_token_expiry(datetime.now(UTC)) is None


@pytest.mark.parametrize(("status", "error_class"), [(401, PinterestAuthError), (400, PinterestBadRequest)])
def test_token_call_maps_401_and_400(pinterest_api, status, error_class):
    add(pinterest_api, "POST", "/oauth/token", status=status, json={"code": 1, "message": "Invalid refresh token."})

    with pytest.raises(error_class, match="Invalid refresh token"):
        PinterestClient(client_config()).refresh_access_token("pinr_used")


def test_token_answer_without_access_token_raises(pinterest_api):
    add(pinterest_api, "POST", "/oauth/token", json={"token_type": "bearer"})

    with pytest.raises(PinterestError, match="no access token"):
        PinterestClient(client_config()).exchange_code("c")


@pytest.mark.parametrize("missing", ["PINTEREST_APP_ID", "PINTEREST_APP_SECRET", "PINTEREST_REDIRECT_URI"])
def test_exchange_code_without_app_settings_raises_configuration_error_before_any_call(
    pinterest_api, settings, missing
):
    setattr(settings, missing, "")

    with pytest.raises(PinterestConfigurationError, match=missing):
        PinterestClient(client_config()).exchange_code("c")

    assert len(pinterest_api.calls) == 0


def test_configuration_error_is_not_a_pinterest_error():
    assert not issubclass(PinterestConfigurationError, PinterestError)


# --- TokenGrant and Retry-After -----------------------------------------------------------


def grant(**fields):
    defaults = {
        "access_token": "pina_secret_value",
        "refresh_token": "pinr_secret_value",
        "expires_in": 3600,
        "refresh_token_expires_in": 7200,
        "refresh_token_expires_at": None,
        "scope": "pins:read",
        "token_type": "bearer",
    }
    return TokenGrant(**{**defaults, **fields})


def test_token_grant_repr_and_str_never_show_the_tokens():
    value = grant()

    for text in (repr(value), str(value), f"{value}"):
        assert "pina_secret_value" not in text
        assert "pinr_secret_value" not in text
    assert "pins:read" in repr(value)


def test_token_grant_expiries_are_relative_to_now_unless_pinterest_gave_a_date():
    now = datetime(2025, 1, 1, tzinfo=UTC)
    fixed = datetime(2025, 3, 1, tzinfo=UTC)

    assert grant().access_token_expires_at(now) == now + timedelta(seconds=3600)
    assert grant().refresh_token_expiry(now) == now + timedelta(seconds=7200)
    assert grant(refresh_token_expires_at=fixed).refresh_token_expiry(now) == fixed
    assert grant(expires_in=None).access_token_expires_at(now) is None
    assert grant(refresh_token_expires_in=None).refresh_token_expiry(now) is None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("30", 30.0),
        ("1.5", 1.5),
        ("-4", 0.0),
        ("soon", None),
        ("Wed, 01 Jan 2025 00:01:00 GMT", 60.0),
        ("Tue, 31 Dec 2024 23:59:00 GMT", 0.0),
    ],
)
def test_parse_retry_after_reads_seconds_and_http_dates(header, seconds):
    now = datetime(2025, 1, 1, tzinfo=UTC)

    assert parse_retry_after(header, now=now) == seconds
