"""Adding a connection from a sandbox token (the command and the admin form), and the
refresh_tokens command."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from pinterest.models import PinterestConnection
from tests.factories import make_connection, make_project, make_tenant, make_user

pytestmark = pytest.mark.django_db

ADD_TOKEN_URL = "/admin/pinterest/pinterestconnection/add-token/"


@pytest.fixture
def sandbox(standin, monkeypatch):
    """A stand-in account with two boards and its tokens in the environment."""
    user = standin.create_user("sandboxer")
    standin.add_boards(user, 2)
    access, refresh = standin.issue_tokens(user)
    monkeypatch.setenv("PIN_TOKEN", access)
    monkeypatch.setenv("PIN_REFRESH", refresh)
    return user, access, refresh


def add_connection(*args):
    out = StringIO()
    call_command("add_connection", *args, stdout=out)
    return out.getvalue()


# --- manage.py add_connection --------------------------------------------------------------


def test_add_connection_checks_the_token_and_stores_the_connection_with_its_boards(sandbox):
    user, access, refresh = sandbox
    tenant = make_tenant("Acme")
    project = make_project(tenant=tenant)

    output = add_connection(
        "--tenant", "Acme", "--token-env", "PIN_TOKEN", "--refresh-token-env", "PIN_REFRESH", "--project",
        str(project.pk),
    )

    connection = PinterestConnection.objects.get()
    assert (connection.tenant, connection.pinterest_user_id, connection.username) == (tenant, user.id, "sandboxer")
    assert connection.is_active
    # Refreshed once on adding: both tokens rotated, both expiries known, so the daily job keeps it alive.
    assert connection.access_token not in ("", access) and connection.refresh_token not in ("", refresh)
    assert connection.access_token_expires_at and connection.refresh_token_expires_at
    assert connection.boards.count() == 2
    project.refresh_from_db()
    assert project.pinterest_connection == connection
    assert "Connected Pinterest account @sandboxer" in output and f"connection id {connection.pk}" in output
    assert access not in output and refresh not in output


def test_add_connection_again_updates_the_same_row(sandbox, standin, monkeypatch):
    user, _, _ = sandbox
    make_tenant("Acme")
    add_connection("--tenant", "Acme", "--token-env", "PIN_TOKEN")
    new_access, _ = standin.issue_tokens(user)
    monkeypatch.setenv("PIN_TOKEN", new_access)
    output = add_connection("--tenant", "Acme", "--token-env", "PIN_TOKEN")
    assert PinterestConnection.objects.get().access_token == new_access
    assert "Reconnected" in output


def test_add_connection_dry_run_stores_nothing(sandbox):
    make_tenant("Acme")
    output = add_connection("--tenant", "Acme", "--token-env", "PIN_TOKEN", "--dry-run")
    assert "@sandboxer" in output and "nothing stored" in output
    assert PinterestConnection.objects.count() == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--tenant", "Nobody", "--token-env", "PIN_TOKEN"], "No tenant named 'Nobody'"),
        (["--tenant", "Acme", "--token-env", "PIN_UNSET"], "Environment variable PIN_UNSET is not set"),
        (["--tenant", "Acme", "--token-env", "PIN_TOKEN", "--refresh-token-env", "PIN_UNSET"], "PIN_UNSET"),
        (["--tenant", "Acme", "--token-env", "PIN_BAD"], "Pinterest rejected the token: Authentication failed."),
        (["--tenant", "Acme", "--token-env", "PIN_TOKEN", "--project", "999999"], "Project 999999 is not"),
    ],
)
def test_add_connection_refuses_with_one_readable_line(sandbox, monkeypatch, args, message):
    make_tenant("Acme")
    monkeypatch.delenv("PIN_UNSET", raising=False)
    monkeypatch.setenv("PIN_BAD", "pina_not_a_real_token")
    with pytest.raises(CommandError) as raised:
        add_connection(*args)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert PinterestConnection.objects.count() == 0


def test_add_connection_reports_pinterest_being_down(sandbox, standin):
    make_tenant("Acme")
    standin.fail_next("503", endpoint="user_account")
    with pytest.raises(CommandError, match="Pinterest could not check the token: Service unavailable"):
        add_connection("--tenant", "Acme", "--token-env", "PIN_TOKEN")


def test_add_connection_has_help():
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("add_connection", "--help", stdout=out)


# --- the admin form -------------------------------------------------------------------------


@pytest.fixture
def staff(client):
    user = make_user(tenant=make_tenant("Acme"), is_staff=True)
    client.force_login(user)
    return user


def test_the_changelist_links_to_the_sandbox_form_and_to_connect(client, staff):
    body = client.get(reverse("admin:pinterest_pinterestconnection_changelist")).content.decode()
    assert ADD_TOKEN_URL in body and "/pinterest/connect/" in body
    assert "Add a sandbox token" in body


def test_the_admin_form_checks_the_token_and_saves_the_connection(client, staff, sandbox):
    _, access, refresh = sandbox
    tenant = staff.membership.tenant
    response = client.post(
        ADD_TOKEN_URL, {"tenant": tenant.pk, "access_token": access, "refresh_token": refresh}
    )
    connection = PinterestConnection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:pinterest_pinterestconnection_change", args=[connection.pk])
    assert connection.tenant == tenant and connection.boards.count() == 2
    assert "@sandboxer" in str(list(get_messages(response.wsgi_request))[0])


def test_the_admin_form_refuses_a_rejected_token_without_showing_it(client, staff, standin):
    response = client.post(
        ADD_TOKEN_URL, {"tenant": staff.membership.tenant.pk, "access_token": "pina_rejected_secret_value"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Pinterest rejected the token" in body
    assert "pina_rejected_secret_value" not in body
    assert PinterestConnection.objects.count() == 0


def test_tenant_staff_can_only_add_to_their_own_tenant(client, staff, sandbox):
    _, access, _ = sandbox
    other = make_tenant("Other")
    response = client.post(ADD_TOKEN_URL, {"tenant": other.pk, "access_token": access})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert PinterestConnection.objects.count() == 0


# --- manage.py refresh_tokens ----------------------------------------------------------------


def expiring_connection(standin, days=2):
    user = standin.create_user()
    access, refresh = standin.issue_tokens(user)
    return make_connection(
        pinterest_user_id=user.id, username=user.username, access_token=access, refresh_token=refresh,
        access_token_expires_at=timezone.now() + timedelta(days=days),
    )


def refresh_tokens(*args):
    out = StringIO()
    call_command("refresh_tokens", *args, stdout=out)
    return out.getvalue()


def test_refresh_tokens_dry_run_changes_nothing(standin):
    connection = expiring_connection(standin)
    before = PinterestConnection.objects.filter(pk=connection.pk).values().get()
    output = refresh_tokens("--dry-run")
    assert "Dry run: 1 connection(s)" in output and "would_refresh" in output
    assert PinterestConnection.objects.filter(pk=connection.pk).values().get() == before
    assert not [call for call in standin.calls if call.endpoint == "token"]


def test_refresh_tokens_json_is_parseable(standin):
    expiring_connection(standin)
    expiring_connection(standin, days=20)
    data = json.loads(refresh_tokens("--json", "--within-days", "7"))
    assert (data["total"], data["refreshed"], data["failed"], data["dry_run"]) == (1, 1, 0, False)
    assert data["details"][0]["status"] == "refreshed"


def test_refresh_tokens_dry_run_json_is_parseable(standin):
    expiring_connection(standin)
    data = json.loads(refresh_tokens("--json", "--dry-run"))
    assert (data["total"], data["refreshed"], data["dry_run"]) == (1, 0, True)


def test_refresh_tokens_prints_a_summary_and_fails_when_a_refresh_failed(standin):
    expiring_connection(standin)
    failing = expiring_connection(standin)
    standin.revoke_tokens(failing.pinterest_user_id)
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 2 token refreshes failed"):
        call_command("refresh_tokens", stdout=out)
    assert "1 refreshed, 1 failed" in out.getvalue()
    assert "Token refresh failed: Invalid refresh token." in out.getvalue()


def test_refresh_tokens_refuses_a_negative_window():
    with pytest.raises(CommandError, match="must not be negative"):
        refresh_tokens("--within-days", "-1")


@pytest.mark.parametrize("days", ["3651", "1000000000", "1e300", "inf", "nan"])
def test_refresh_tokens_refuses_a_window_beyond_ten_years_naming_the_option(days):
    with pytest.raises(CommandError, match=r"--within-days must be a number of days from 0 to 3650"):
        refresh_tokens("--within-days", days)


def test_an_account_without_an_id_is_refused_and_nothing_is_stored(standin, monkeypatch):
    from pinterest.client import PinterestClient
    from pinterest.errors import ConnectError
    from pinterest.models import PinterestConnection
    from pinterest.services.connect import connection_add_from_token
    from tests.factories import make_tenant

    monkeypatch.setattr(PinterestClient, "get_user_account", lambda self: {"username": "ghost"})
    with pytest.raises(ConnectError, match="which account"):
        connection_add_from_token(tenant=make_tenant(), access_token="pina_whatever")
    assert not PinterestConnection.objects.exists()
