"""No token, access or refresh, ever reaches a log record, an API answer or an admin page.

The stand-in remembers every token it issued (``standin.tokens``), so each test checks
against all of them: the ones granted on connect, the rotated ones of each refresh, and
the ones made up front.
"""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from pinterest.models import PinterestConnection
from pinterest.services.refresh import connections_refresh_expiring
from publishing.engine import pin_publish
from tests.factories import make_board, make_pin, make_project, make_tenant, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pacing(settings):
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0


@pytest.fixture
def every_log_record(caplog):
    """Every logger at DEBUG, including the ones the settings quiet (urllib3)."""
    caplog.set_level(logging.DEBUG)
    for name in ["urllib3", "django", "pinterest", "publishing", *logging.root.manager.loggerDict]:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def issued_tokens(standin) -> list[str]:
    with standin.lock:
        tokens = list(standin.tokens)
    assert tokens
    return tokens


def leaks(text: str, tokens) -> list[str]:
    return [token[:8] + "..." for token in tokens if token in text]


def connect_through_oauth(client, tenant):
    client.force_login(make_user(tenant=tenant, is_staff=True))
    authorize = client.get("/pinterest/connect/")["Location"]
    back = urlsplit(requests.get(authorize, allow_redirects=False, timeout=5).headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 302
    return PinterestConnection.objects.get(tenant=tenant)


def test_no_token_in_any_log_record_during_connect_refresh_and_publish(client, standin, every_log_record):
    user = standin.create_user("leaky")
    standin.login_as(user)
    board_id = standin.add_board(user, "Recipes")
    tenant = make_tenant()
    connection = connect_through_oauth(client, tenant)

    # The daily refresh, including a transient failure and its retry.
    PinterestConnection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() + timedelta(days=1)
    )
    standin.fail_next("503", endpoint="token")
    assert connections_refresh_expiring(within=timedelta(days=7))["refreshed"] == 1

    # A publish that refreshes just in time first.
    PinterestConnection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() + timedelta(minutes=5)
    )
    board = connection.boards.get(pinterest_board_id=board_id)
    pin = make_pin(project=make_project(tenant=tenant, connection=connection), board=board)
    assert pin_publish(pin_id=pin.pk, trigger="manual").success

    # A refresh Pinterest refuses.
    standin.revoke_tokens(user)
    PinterestConnection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() + timedelta(days=1)
    )
    assert connections_refresh_expiring(within=timedelta(days=7))["failed"] == 1

    tokens = issued_tokens(standin)
    assert len(tokens) == 6  # a pair each: connect, the daily refresh, the just-in-time refresh
    records = every_log_record.records
    assert any(record.name.startswith("urllib3") for record in records)  # DEBUG really is captured
    for record in records:
        assert not leaks(record.getMessage(), tokens), (record.name, record.getMessage())
    assert not leaks(every_log_record.text, tokens)


def test_no_token_on_any_admin_page_of_a_connection(admin_client, standin):
    user = standin.create_user()
    access, refresh = standin.issue_tokens(user)
    connection = PinterestConnection.objects.create(
        tenant=make_tenant(), pinterest_user_id=user.id, username=user.username, access_token=access,
        refresh_token=refresh, access_token_expires_at=timezone.now() + timedelta(days=1),
    )
    make_board(connection=connection)
    changelist = reverse("admin:pinterest_pinterestconnection_changelist")
    pages = [
        admin_client.get(changelist),
        admin_client.get(reverse("admin:pinterest_pinterestconnection_change", args=[connection.pk])),
        admin_client.get(reverse("admin:pinterest_board_changelist")),
        admin_client.get(reverse("admin:pinterest_pinterestconnection_add_token")),
        # The form sent back with an error never shows what was typed.
        admin_client.post(
            reverse("admin:pinterest_pinterestconnection_add_token"),
            {"tenant": connection.tenant_id, "access_token": access, "refresh_token": refresh, "project": "x"},
        ),
    ]
    for action in ("refresh_tokens_now", "sync_boards"):
        pages.append(
            admin_client.post(changelist, {"action": action, "_selected_action": [connection.pk]}, follow=True)
        )
    tokens = issued_tokens(standin)
    for response in pages:
        assert response.status_code == 200
        assert not leaks(response.content.decode(), tokens)
    assert "Refreshed the tokens of" in pages[-2].content.decode()


def test_no_token_in_any_answer_of_the_connection_actions(standin):
    user = standin.create_user()
    standin.add_board(user, "Travel")
    access, refresh = standin.issue_tokens(user)
    connection = PinterestConnection.objects.create(
        tenant=make_tenant(), pinterest_user_id=user.id, username=user.username, access_token=access,
        refresh_token=refresh,
    )
    api = APIClient()
    api.force_authenticate(make_user(tenant=connection.tenant))
    base = f"/api/connections/{connection.pk}/"
    responses = [api.post(base + "refresh/"), api.post(base + "sync-boards/")]
    standin.revoke_tokens(user)
    responses += [api.post(base + "refresh/"), api.delete(base)]
    assert [r.status_code for r in responses] == [200, 200, 409, 200]
    tokens = issued_tokens(standin)
    for response in responses:
        assert not leaks(response.content.decode(), tokens)
