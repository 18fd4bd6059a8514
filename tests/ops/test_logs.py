"""The logs: LOG_FORMAT=json's lines name the request, the tenant, the pin and the connection,
the request id comes back in the answer, and no token, key or webhook secret appears in either
format across a publish, a token refresh, an API key's use and a webhook delivery."""

import io
import json
import logging
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from pinpublisher.logs import PLAIN_FORMAT, ContextFilter, JsonFormatter
from pinterest.models import PinterestConnection
from pinterest.services.refresh import connections_refresh_expiring
from tests.factories import make_api_key, make_user
from tests.publishing.helpers import standin_account, standin_pins
from tests.webhooks.receiver import Receiver
from webhooks.services.delivery import deliveries_send_due
from webhooks.services.endpoints import endpoint_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pacing(settings):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = True


@pytest.fixture
def logged():
    """Every record of every logger, at DEBUG, written in both formats: {"plain": ..., "json": ...}."""
    streams = {"plain": io.StringIO(), "json": io.StringIO()}
    handlers = []
    for name, formatter in (("plain", logging.Formatter(PLAIN_FORMAT)), ("json", JsonFormatter())):
        handler = logging.StreamHandler(streams[name])
        handler.setFormatter(formatter)
        handler.addFilter(ContextFilter())
        handler.setLevel(logging.DEBUG)
        handlers.append(handler)
        logging.root.addHandler(handler)
    levels = {name: logging.getLogger(name).level for name in ["", "urllib3", *logging.root.manager.loggerDict]}
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield streams
    for handler in handlers:
        logging.root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def json_lines(logged):
    return [json.loads(line) for line in logged["json"].getvalue().splitlines()]


def publish_through_the_api(client, standin, *, request_id=None):
    connection, (board,) = standin_account(standin)
    (pin,) = standin_pins(standin, connection=connection, board=board)
    user = make_user(connection.tenant)
    key = make_api_key(user).key
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    if request_id:
        headers["HTTP_X_REQUEST_ID"] = request_id
    response = client.post(f"/api/pins/{pin.pk}/publish/", **headers)
    assert response.status_code == 200, response.content
    assert response.json()["success"]
    return response, pin, connection, key


def test_json_lines_name_the_request_the_tenant_the_pin_and_the_connection(client, standin, logged):
    response, pin, connection, _ = publish_through_the_api(client, standin, request_id="edge-7f3a.1")
    assert response["X-Request-ID"] == "edge-7f3a.1"
    lines = json_lines(logged)
    assert lines and all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    assert any(line.get("request_id") == "edge-7f3a.1" and line.get("tenant") == str(connection.tenant_id)
               for line in lines)
    (create,) = [line for line in lines if line["logger"] == "pinterest.client" and "POST /pins" in line["message"]]
    assert (create["pin"], create["connection"], create["tenant"], create["level"]) == (
        str(pin.pk), str(connection.pk), str(connection.tenant_id), "INFO")
    assert "[edge-7f3a.1]" in logged["plain"].getvalue()


@pytest.mark.parametrize("given", [None, "", "has spaces", "x" * 65, "line\nbreak"])
def test_a_request_id_is_made_when_none_or_no_sane_one_is_given(client, given):
    headers = {} if given is None else {"HTTP_X_REQUEST_ID": given}
    made = client.get("/healthz", **headers)["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz", **headers)["X-Request-ID"] != made


def test_no_token_key_or_webhook_secret_in_either_log_format(client, standin, logged, settings):
    receiver = Receiver().start()
    try:
        connection, (board,) = standin_account(standin)
        tenant = connection.tenant
        secret = endpoint_create(tenant=tenant, url=receiver.url).secret
        # A token refresh, through a transient failure and its retry.
        PinterestConnection.objects.filter(pk=connection.pk).update(
            access_token_expires_at=timezone.now() + timedelta(days=1))
        standin.fail_next("503", endpoint="token")
        assert connections_refresh_expiring(within=timedelta(days=7))["refreshed"] == 1
        # An API key's use, a publish (whose event is recorded for the endpoint), a refused key.
        (pin,) = standin_pins(standin, connection=connection, board=board)
        key = make_api_key(make_user(tenant)).key
        response = client.post(f"/api/pins/{pin.pk}/publish/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200 and response.json()["success"], response.content
        assert client.get("/api/pins/", HTTP_AUTHORIZATION=f"Token {key[:-4]}xxxx").status_code == 401
        # The webhook delivery, signed with the secret.
        assert deliveries_send_due().delivered == 1
        assert receiver.received
    finally:
        receiver.stop()

    with standin.lock:
        tokens = list(standin.tokens)
    secrets = [*tokens, key, key[12:], secret, settings.PINTEREST_APP_SECRET, settings.SECRET_KEY]
    assert tokens and all(secrets)
    for name, stream in logged.items():
        text = stream.getvalue()
        for step in ("POST /oauth/token", "POST /pins", "API key refused", "POST /hooks"):  # each was logged
            assert step in text, (name, step)
        assert [s[:6] + "..." for s in secrets if s in text] == [], name
