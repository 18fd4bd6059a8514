"""The client end to end against the running Pinterest stand-in: OAuth, paging, creating
pins, and every fault mapped to the error the publishing code relies on."""

import socket
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from pinterest.client import PinterestClient
from pinterest.errors import (
    PinterestAuthError,
    PinterestBadRequest,
    PinterestConnectionError,
    PinterestForbidden,
    PinterestNotFound,
    PinterestRateLimitError,
    PinterestUnavailable,
)
from pinterest.management.commands.run_pinterest_standin import parse_rate_limit
from pinterest.payload import build_pin_create
from pinterest.standin.server import run_standin
from tests.factories import client_config, png_bytes


def connect(standin, state="state-123"):
    """Go through the authorize page like a browser; return the redirect's query."""
    answer = requests.get(PinterestClient(client_config()).authorize_url(state), allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def account(standin):
    """A stand-in user with a board and a client holding its access token."""
    user = standin.create_user("soupblog")
    access, refresh = standin.issue_tokens(user)
    board_id = standin.add_board(user, "Soups")
    return user, board_id, PinterestClient(client_config(), access), access


def payload(board_id, **fields):
    return build_pin_create(board_id=board_id, image_url="https://blog.example.com/soup.jpg", **fields)


# --- OAuth ----------------------------------------------------------------------------


def test_authorize_redirects_back_with_a_code_and_the_same_state(standin, settings):
    location, query = connect(standin, state="abc-state")

    assert location.startswith(settings.PINTEREST_REDIRECT_URI)
    assert query["state"] == "abc-state"
    assert query["code"]


def test_code_exchange_gives_tokens_of_the_logged_in_user(standin):
    user = standin.create_user("chosen")
    standin.login_as(user)
    _location, query = connect(standin)

    grant = PinterestClient(client_config()).exchange_code(query["code"])

    assert PinterestClient(client_config(), grant.access_token).get_user_account()["username"] == "chosen"
    assert grant.refresh_token.startswith("pinr_")
    assert grant.expires_in == 30 * 24 * 3600
    assert grant.refresh_token_expires_in == 60 * 24 * 3600
    assert grant.refresh_token_expires_at is not None
    assert set(grant.scope.split(",")) == {
        "boards:read",
        "boards:write",
        "pins:read",
        "pins:write",
        "user_accounts:read",
    }


def test_authorize_logs_in_as_an_auto_created_default_user(standin):
    _location, query = connect(standin)

    grant = PinterestClient(client_config()).exchange_code(query["code"])

    assert PinterestClient(client_config(), grant.access_token).get_user_account()["id"] == standin.default_user.id


def test_authorize_redirects_with_access_denied_when_told_to_deny(standin):
    standin.deny_next_authorize()

    _location, query = connect(standin, state="s1")

    assert query == {"error": "access_denied", "state": "s1"}
    assert "code" in connect(standin)[1]  # only the next one


def test_authorization_code_is_single_use(standin):
    _location, query = connect(standin)
    PinterestClient(client_config()).exchange_code(query["code"])

    with pytest.raises(PinterestBadRequest) as caught:
        PinterestClient(client_config()).exchange_code(query["code"])

    assert caught.value.status_code == 400


def test_code_exchange_with_the_wrong_app_secret_is_an_auth_error(standin, settings):
    _location, query = connect(standin)
    settings.PINTEREST_APP_SECRET = "not-the-secret"
    standin.app_secret = "the-real-secret"

    with pytest.raises(PinterestAuthError):
        PinterestClient(client_config()).exchange_code(query["code"])


def test_refresh_rotates_the_refresh_token_and_rejects_the_old_one(standin):
    user = standin.create_user()
    _access, refresh = standin.issue_tokens(user)

    grant = PinterestClient(client_config()).refresh_access_token(refresh)

    assert grant.refresh_token and grant.refresh_token != refresh
    assert PinterestClient(client_config(), grant.access_token).get_user_account()["id"] == user.id
    with pytest.raises(PinterestBadRequest, match="Invalid refresh token"):
        PinterestClient(client_config()).refresh_access_token(refresh)
    assert PinterestClient(client_config()).refresh_access_token(grant.refresh_token).refresh_token


def test_a_grant_missing_a_scope_shows_it_and_pinterest_refuses_the_call(standin):
    standin.set_grant_scope("pins:read,user_accounts:read")
    _location, query = connect(standin)

    grant = PinterestClient(client_config()).exchange_code(query["code"])

    assert grant.scope == "pins:read,user_accounts:read"
    with pytest.raises(PinterestAuthError) as caught:
        PinterestClient(client_config(), grant.access_token).list_boards()
    assert caught.value.pinterest_code == 3


def test_unknown_or_expired_access_token_is_401_code_2(standin):
    user = standin.create_user()
    access, _refresh = standin.issue_tokens(user)
    standin.expire_access_token(access)

    for token in (access, "pina_never_issued"):
        with pytest.raises(PinterestAuthError) as caught:
            PinterestClient(client_config(), token).get_user_account()
        assert (caught.value.status_code, caught.value.pinterest_code, caught.value.message) == (
            401,
            2,
            "Authentication failed.",
        )


# --- boards and pins ------------------------------------------------------------------------


def test_list_boards_reads_every_page(standin):
    user = standin.create_user()
    access, _ = standin.issue_tokens(user)
    board_ids = standin.add_boards(user, 501)
    standin.add_board(standin.create_user("someone_else"), "Not mine")

    boards = PinterestClient(client_config(), access).list_boards()

    assert [b["id"] for b in boards] == board_ids
    assert [c.endpoint for c in standin.calls].count("list_boards") == 3


def test_list_boards_page_size_above_250_is_refused(account, standin):
    _user, _board, _client, access = account

    answer = requests.get(
        f"{standin.api_base}/boards",
        params={"page_size": 251},
        headers={"Authorization": f"Bearer {access}"},
        timeout=5,
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == 1
    assert answer.headers["x-pinterest-rid"]


def test_board_pins_come_newest_first_across_pages(account, standin):
    _user, board_id, client, _ = account
    created = [client.create_pin(payload(board_id, title=f"Pin {n}"))["id"] for n in range(5)]

    pins = client.list_board_pins(board_id, page_size=2, max_pages=2)

    assert [p["id"] for p in pins] == list(reversed(created))[:4]


def test_create_pin_returns_a_pin_and_is_counted_once(account, standin):
    user, board_id, client, access = account
    body = payload(board_id, title="Pumpkin soup", link="https://blog.example.com/soup")
    before = time.time()

    pin = client.create_pin(body)

    assert pin["id"].isdigit()
    assert pin["board_id"] == board_id
    assert (pin["title"], pin["link"]) == ("Pumpkin soup", "https://blog.example.com/soup")
    assert pin["created_at"]
    assert client.last_request_id
    assert standin.created_count() == 1
    assert standin.created_count(board_id) == 1
    assert standin.created_count(body=body) == 1
    [creation] = standin.creations
    assert (creation.user_id, creation.pin_id, creation.board_id) == (user.id, pin["id"], board_id)
    assert creation.token_id == standin.token_id(access)
    assert before <= creation.time <= time.time()
    assert standin.create_times(user=user) == [creation.time]


def test_create_pin_with_a_base64_image(account, standin):
    _user, board_id, client, _ = account

    pin = client.create_pin(build_pin_create(board_id=board_id, image_bytes=png_bytes(fmt="WEBP")))

    assert pin["media"]["media_type"] == "image"
    assert standin.created_count(board_id) == 1


def test_create_pin_body_breaking_the_schema_is_400(account, standin):
    _user, board_id, client, _ = account

    with pytest.raises(PinterestBadRequest, match="title"):
        client.create_pin({**payload(board_id), "title": "t" * 101})
    assert standin.created_count() == 0


def test_create_pin_on_a_missing_or_foreign_board_is_404_code_40(account, standin):
    _user, board_id, client, _ = account
    foreign = standin.add_board(standin.create_user("other"), "Theirs")
    standin.remove_board(board_id)

    for board in (board_id, foreign, "123"):
        with pytest.raises(PinterestNotFound) as caught:
            client.create_pin(payload(board))
        assert (caught.value.pinterest_code, caught.value.message) == (40, "Board not found.")
    assert standin.created_count() == 0


# --- faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "error_class", "code"),
    [
        ("401", PinterestAuthError, 2),
        ("403", PinterestForbidden, 233),
        ("400", PinterestBadRequest, 1),
        ("404", PinterestNotFound, 40),
        ("500", PinterestUnavailable, None),
        ("503", PinterestUnavailable, None),
    ],
)
def test_create_fault_maps_to_its_error_and_creates_nothing(account, standin, kind, error_class, code):
    _user, board_id, client, _ = account
    standin.fail_next_creates(kind)

    with pytest.raises(error_class) as caught:
        client.create_pin(payload(board_id))

    assert caught.value.status_code == int(kind)
    if code is not None:
        assert caught.value.pinterest_code == code
    assert caught.value.request_id
    assert standin.created_count() == 0
    assert client.create_pin(payload(board_id))["id"]  # only the next create fails


@pytest.mark.parametrize(("retry_after", "expected"), [(7, 7.0), (None, None)])
def test_create_fault_429_with_or_without_retry_after(account, standin, retry_after, expected):
    _user, board_id, client, _ = account
    standin.fail_next_creates("429", count=2, retry_after=retry_after)

    for _ in range(2):
        with pytest.raises(PinterestRateLimitError) as caught:
            client.create_pin(payload(board_id))
        assert (caught.value.pinterest_code, caught.value.retry_after) == (8, expected)
    assert standin.created_count() == 0


def test_created_then_dropped_leaves_exactly_one_pin_and_the_outcome_unknown(account, standin):
    _user, board_id, client, _ = account
    body = payload(board_id, title="Only once")
    standin.fail_next_creates("drop_after_create")

    with pytest.raises(PinterestUnavailable) as caught:
        client.create_pin(body)

    assert caught.value.outcome_unknown
    assert standin.created_count(body=body) == 1
    assert [p["title"] for p in client.list_board_pins(board_id)] == ["Only once"]


def test_503_after_create_leaves_the_pin_and_503_without_create_does_not(account, standin):
    _user, board_id, client, _ = account
    standin.fail_next_creates("503_after_create")
    standin.fail_next_creates("503")

    for _ in range(2):
        with pytest.raises(PinterestUnavailable):
            client.create_pin(payload(board_id))

    assert standin.created_count() == 1


def test_dropped_before_create_creates_nothing(account, standin):
    _user, board_id, client, _ = account
    standin.fail_next_creates("drop")

    with pytest.raises(PinterestUnavailable):
        client.create_pin(payload(board_id))

    assert standin.created_count() == 0


def test_hang_raises_unavailable_once_the_read_timeout_passes(account, standin, settings):
    _user, board_id, client, _ = account
    settings.PINTEREST_READ_TIMEOUT_SECONDS = 0.3
    standin.fail_next_creates("hang", hang_seconds=5)

    with pytest.raises(PinterestUnavailable, match="did not answer"):
        client.create_pin(payload(board_id))

    assert standin.created_count() == 0
    assert standin.calls[-1].outcome == "hung"


def test_hang_after_create_leaves_the_pin(account, standin, settings):
    _user, board_id, client, _ = account
    settings.PINTEREST_READ_TIMEOUT_SECONDS = 0.3
    standin.fail_next_creates("hang_after_create", hang_seconds=5)

    with pytest.raises(PinterestUnavailable):
        client.create_pin(payload(board_id))

    assert standin.created_count(board_id) == 1


def test_faults_for_other_endpoints(account, standin):
    _user, board_id, client, _ = account
    standin.fail_next("503", endpoint="list_board_pins")
    standin.fail_next("401", endpoint="list_boards")

    with pytest.raises(PinterestUnavailable):
        client.list_board_pins(board_id)
    with pytest.raises(PinterestAuthError):
        client.list_boards()
    assert client.list_boards()


def test_token_endpoint_fault(standin):
    user = standin.create_user()
    _access, refresh = standin.issue_tokens(user)
    standin.fail_next("500", endpoint="token")

    with pytest.raises(PinterestUnavailable):
        PinterestClient(client_config()).refresh_access_token(refresh)
    assert PinterestClient(client_config()).refresh_access_token(refresh).refresh_token  # not used up by the 500


def test_connection_refused_raises_connection_error(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.PINTEREST_API_BASE = f"http://127.0.0.1:{port}/v5"

    with pytest.raises(PinterestConnectionError) as caught:
        PinterestClient(client_config(), "pina_x").create_pin(payload("1"))

    assert not caught.value.outcome_unknown


# --- limits, latency, records -----------------------------------------------------------------


def test_rate_limit_is_429_code_8_per_token_with_retry_after(account, standin):
    user, board_id, client, _ = account
    standin.set_rate_limit(1, window_seconds=60)
    client.create_pin(payload(board_id))

    with pytest.raises(PinterestRateLimitError) as caught:
        client.create_pin(payload(board_id))

    assert caught.value.pinterest_code == 8
    assert 0 < caught.value.retry_after <= 60
    other_token, _ = standin.issue_tokens(user)
    assert PinterestClient(client_config(), other_token).create_pin(payload(board_id))["id"]
    assert client.list_boards()  # reads are not counted by a "write" limit


def test_rate_limit_without_retry_after(account, standin):
    _user, board_id, client, _ = account
    standin.set_rate_limit(1, window_seconds=60, retry_after=None)
    client.create_pin(payload(board_id))

    with pytest.raises(PinterestRateLimitError) as caught:
        client.create_pin(payload(board_id))

    assert caught.value.retry_after is None


def test_latency_delays_every_answer(account, standin):
    _user, _board, client, _ = account
    standin.set_latency(150)
    started = time.monotonic()

    client.get_user_account()

    assert time.monotonic() - started >= 0.15


def test_every_answer_carries_a_request_id(standin):
    for answer in (
        requests.get(f"{standin.base_url}/nowhere", timeout=5),
        requests.get(f"{standin.api_base}/user_account", timeout=5),
        requests.get(f"{standin.authorize_url}?client_id=x", timeout=5),
    ):
        assert answer.headers["x-pinterest-rid"]


def test_reset_forgets_everything(account, standin):
    _user, board_id, client, _ = account
    client.create_pin(payload(board_id))
    standin.fail_next_creates("500")

    standin.reset()

    assert (standin.created_count(), standin.users, standin.snapshot()["pending_faults"]) == (0, {}, [])
    with pytest.raises(PinterestAuthError):
        client.get_user_account()


# --- control over HTTP, lifecycle ------------------------------------------------------------


def control(standin, **command):
    answer = requests.post(standin.control_url, json=command, timeout=5)
    return answer.status_code, answer.json()


def test_control_endpoint_sets_up_and_inspects_the_stand_in_over_http(standin):
    _, user = control(standin, action="create_user", username="remote")
    _, board = control(standin, action="add_board", user="remote", name="Remote board")
    _, tokens = control(standin, action="issue_tokens", user=user["result"]["id"])
    client = PinterestClient(client_config(), tokens["result"][0])
    board_id = board["result"]

    assert control(standin, action="fail_next_creates", kind="429", retry_after=3)[0] == 200
    with pytest.raises(PinterestRateLimitError) as caught:
        client.create_pin(payload(board_id))
    assert caught.value.retry_after == 3.0
    client.create_pin(payload(board_id))

    state = requests.get(standin.state_url, timeout=5).json()
    assert state["created_count"] == 1
    assert state["created_by_board"] == {board_id: 1}
    assert state["users"][0]["username"] == "remote"
    assert tokens["result"][0] not in str(state)


def test_control_endpoint_refuses_unknown_actions_and_bad_arguments(standin):
    assert control(standin, action="format_disk")[0] == 400
    status, answer = control(standin, action="fail_next_creates", kind="418")
    assert status == 400 and "Unknown fault kind" in answer["message"]


def test_control_endpoint_takes_a_list_of_actions(standin):
    commands = [{"action": "set_latency", "ms": 5}, {"action": "deny_next_authorize"}]

    answer = requests.post(standin.control_url, json=commands, timeout=5)

    assert answer.json() == {"ok": True, "result": [None, None]}
    assert (standin.latency_ms, standin.deny_authorize) == (5, 1)


def test_fixture_points_the_settings_at_the_stand_in(standin, settings):
    assert settings.PINTEREST_API_BASE == standin.api_base == f"{standin.base_url}/v5"
    assert settings.PINTEREST_OAUTH_AUTHORIZE_URL == standin.authorize_url


def test_run_standin_stops_serving_on_exit():
    with run_standin() as server:
        assert requests.get(f"{server.base_url}/", timeout=5).status_code == 200
        url = server.base_url

    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/", timeout=1)


@pytest.mark.parametrize(
    ("text", "expected"), [("10/60", (10, 60.0)), ("10/60s", (10, 60.0)), ("100/1h", (100, 3600.0)), ("5/m", (5, 60.0))]
)
def test_rate_limit_option_reads_n_per_window(text, expected):
    assert parse_rate_limit(text) == expected


def test_standin_refuses_inline_images_below_its_minimum_size_with_code_233(standin):
    import base64

    from pinterest.client import PinterestClient
    from pinterest.errors import PinterestForbidden
    from tests.factories import client_config, png_bytes

    user = standin.create_user()
    access, _ = standin.issue_tokens(user)
    board_id = standin.add_board(user, "Small images")
    standin.set_min_image_px(100)
    client = PinterestClient(client_config(), access)

    def body(size):
        data = base64.b64encode(png_bytes(size, size)).decode()
        return {"board_id": board_id, "media_source": {"source_type": "image_base64", "content_type": "image/png",
                                                       "data": data}}

    with pytest.raises(PinterestForbidden) as excinfo:
        client.create_pin(body(60))
    assert excinfo.value.pinterest_code == 233 and "too small" in excinfo.value.message
    assert client.create_pin(body(120))["id"]
    assert standin.created_count(board_id) == 1
