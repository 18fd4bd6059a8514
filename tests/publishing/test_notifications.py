"""Telling a person: a tenant's owners get one email when one of its Pinterest accounts starts
needing them (deactivated, blocked for spam, a refresh failing for more than a day) and one
when it recovers; nothing while nothing changed, nobody but the owners, never a token.

Emails are sent once the change is committed (the receiver of ``connection_health_changed`` defers
them with ``transaction.on_commit``), so every check here runs inside
``django_capture_on_commit_callbacks(execute=True)``.
"""

import json
import logging
import os
import smtplib
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from pinterest.models import PinterestConnection
from pinterest.services.connect import connection_add_from_token
from pinterest.services.health import connection_health_check
from pinterest.services.refresh import RefreshOutcome, connection_refresh_tokens, connections_refresh_retry_due
from publishing.models import Membership
from publishing.services.notifications import connection_health_notify_owners
from tests.factories import make_connection, make_project, make_tenant, make_user

pytestmark = pytest.mark.django_db

OWNER_A, OWNER_B = "ada@example.com", "bo@example.com"


@pytest.fixture
def tenant():
    """A tenant with two owners with addresses, an owner without one, and a member; and another
    tenant whose owner must never hear about this tenant's accounts."""
    tenant = make_tenant("Acme")
    make_user(tenant, email=OWNER_A)
    make_user(tenant, email=OWNER_B)
    make_user(tenant, email="")
    make_user(tenant, email="member@example.com", role=Membership.Role.EDITOR)
    make_user(make_tenant("Other"), email="other-owner@example.com")
    return tenant


@pytest.fixture
def check(django_capture_on_commit_callbacks):
    """Check a connection's health and run what is sent on commit (the emails)."""

    def run(connection, now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return connection_health_check(connection_id=connection.pk, now=now)

    return run


def recipients(outbox):
    return sorted(address for message in outbox for address in message.to)


def deactivate(connection, error="Token refresh failed: Invalid refresh token."):
    PinterestConnection.objects.filter(pk=connection.pk).update(is_active=False, last_error=error)


def reactivate(connection):
    PinterestConnection.objects.filter(pk=connection.pk).update(is_active=True, last_error="")


def assert_no_token(outbox, connection):
    connection = PinterestConnection.objects.get(pk=connection.pk)
    for message in outbox:
        text = message.subject + message.message().as_string()
        assert connection.access_token not in text
        assert not connection.refresh_token or connection.refresh_token not in text


# --- one email per change ---------------------------------------------------------------------


def test_a_deactivated_connection_emails_each_owner_once_saying_what_to_do(tenant, check, mailoutbox):
    connection = make_connection(tenant, username="acme_pins")
    make_project(tenant=tenant, connection=connection, name="Acme blog")
    deactivate(connection, "Pinterest rejected the token (401): reconnect the account.")

    check(connection)

    assert recipients(mailoutbox) == [OWNER_A, OWNER_B]
    assert all(len(message.to) == 1 for message in mailoutbox)  # owners do not see each other's address
    message = mailoutbox[0]
    assert message.subject == "[pinpublisher] Pinterest account @acme_pins needs to be connected again"
    assert message.from_email == django_settings.DEFAULT_FROM_EMAIL
    assert "@acme_pins of Acme" in message.body
    assert "What happened: Pinterest rejected the token (401): reconnect the account." in message.body
    assert "/pinterest/connect/" in message.body
    assert "Projects publishing with it: Acme blog." in message.body
    assert_no_token(mailoutbox, connection)


def test_the_same_state_checked_again_sends_nothing(tenant, check, mailoutbox):
    connection = make_connection(tenant)
    deactivate(connection)
    check(connection)
    mailoutbox.clear()

    check(connection)
    check(connection, now=timezone.now() + timedelta(days=3))

    assert mailoutbox == []


def test_a_recovered_connection_sends_one_short_email_then_nothing(tenant, check, mailoutbox):
    connection = make_connection(tenant, access_token_expires_at=timezone.now() + timedelta(days=20))
    deactivate(connection)
    check(connection)
    mailoutbox.clear()

    reactivate(connection)
    check(connection)
    check(connection)

    assert recipients(mailoutbox) == [OWNER_A, OWNER_B]
    assert mailoutbox[0].subject.endswith(f"Pinterest account {connection} is working again")
    assert "it was: needs reconnecting" in mailoutbox[0].body
    assert_no_token(mailoutbox, connection)


def test_a_connection_that_was_fine_all_along_sends_nothing(tenant, check, mailoutbox):
    connection = make_connection(tenant, access_token_expires_at=timezone.now() + timedelta(days=20))
    check(connection)
    assert mailoutbox == []


def test_a_refresh_failing_for_less_than_a_day_sends_nothing_and_for_more_one_email(tenant, check, mailoutbox):
    since = timezone.now()
    connection = make_connection(
        tenant, refresh_failing_since=since, access_token_expires_at=since + timedelta(days=5),
        refresh_failures=3, last_error="Token refresh failing: Service unavailable.",
    )

    check(connection, now=since + timedelta(hours=23))
    assert mailoutbox == []

    check(connection, now=since + timedelta(hours=25))
    check(connection, now=since + timedelta(hours=26))

    assert recipients(mailoutbox) == [OWNER_A, OWNER_B]
    message = mailoutbox[0]
    assert "token refresh failing for more than a day" in message.subject
    assert "the access token expires in 4.0 days" in message.body  # 5 days less 25 hours
    assert "Service unavailable" in message.body and "/pinterest/connect/" in message.body
    assert_no_token(mailoutbox, connection)


def test_a_spam_block_says_to_wait_until_the_cool_down_ends(tenant, check, mailoutbox):
    now = timezone.now()
    connection = make_connection(tenant, spam_blocked_at=now, spam_blocked_until=now + timedelta(hours=6))

    check(connection)

    assert recipients(mailoutbox) == [OWNER_A, OWNER_B]
    assert "blocked for suspected spam" in mailoutbox[0].subject
    body = mailoutbox[0].body
    assert f"publishing resumes after {connection.spam_blocked_until:%Y-%m-%d %H:%M}" in body
    assert "wait until the cool-down ends" in body


def test_a_token_pinterest_refuses_to_refresh_reaches_the_owners(tenant, standin, django_capture_on_commit_callbacks,
                                                                 mailoutbox):
    user = standin.create_user()
    access, refresh = standin.issue_tokens(user)
    connection = make_connection(tenant, pinterest_user_id=user.id, username=user.username, access_token=access,
                                 refresh_token=refresh)
    standin.revoke_tokens(user)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = connection_refresh_tokens(connection_id=connection.pk, retries=0)

    assert outcome.status == RefreshOutcome.FAILED
    assert recipients(mailoutbox) == [OWNER_A, OWNER_B]
    assert "Token refresh failed: Invalid refresh token." in mailoutbox[0].body
    assert access not in mailoutbox[0].body and refresh not in mailoutbox[0].body


@pytest.mark.parametrize("with_refresh_token", [True, False], ids=["refreshed", "expiry-unknown"])
def test_reconnecting_with_a_new_token_tells_the_owners_it_recovered(tenant, standin,
                                                                     django_capture_on_commit_callbacks, check,
                                                                     mailoutbox, with_refresh_token):
    user = standin.create_user()
    connection = make_connection(tenant, pinterest_user_id=user.id, username=user.username)
    deactivate(connection)
    check(connection)
    mailoutbox.clear()
    access, refresh = standin.issue_tokens(user)

    with django_capture_on_commit_callbacks(execute=True):
        connection_add_from_token(tenant=tenant, access_token=access,
                                  refresh_token=refresh if with_refresh_token else "")

    assert recipients(mailoutbox) == [OWNER_A, OWNER_B]
    assert "is working again" in mailoutbox[0].subject
    assert_no_token(mailoutbox, connection)


def test_a_refresh_failing_then_healing_by_the_retry_job_sends_one_email_each_way(
    tenant, standin, django_capture_on_commit_callbacks, settings, mailoutbox
):
    settings.TOKEN_REFRESH_BACKOFF_SECONDS = 0.001
    user = standin.create_user()
    access, refresh = standin.issue_tokens(user)
    long_ago = timezone.now() - timedelta(hours=30)
    connection = make_connection(
        tenant, pinterest_user_id=user.id, username=user.username, access_token=access, refresh_token=refresh,
        access_token_expires_at=timezone.now() + timedelta(days=2), refresh_failing_since=long_ago,
        refresh_failures=5, next_refresh_at=timezone.now() - timedelta(seconds=1),
        last_error="Token refresh failing: Service unavailable.",
    )
    standin.fail_next("503", 4, endpoint="token")

    with django_capture_on_commit_callbacks(execute=True):
        connections_refresh_retry_due()
    assert recipients(mailoutbox) == [OWNER_A, OWNER_B]
    assert "failing for more than a day" in mailoutbox[0].subject
    mailoutbox.clear()

    PinterestConnection.objects.filter(pk=connection.pk).update(next_refresh_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        connections_refresh_retry_due(now=timezone.now() + timedelta(seconds=1))
    assert recipients(mailoutbox) == [OWNER_A, OWNER_B]
    assert "is working again" in mailoutbox[0].subject
    assert_no_token(mailoutbox, connection)


# --- who is told ------------------------------------------------------------------------------


def test_only_the_tenants_active_owners_with_an_address_are_told(tenant, check, mailoutbox):
    former = make_user(tenant, email="former@example.com")
    former.is_active = False
    former.save()
    connection = make_connection(tenant)
    deactivate(connection)

    check(connection)

    assert recipients(mailoutbox) == [OWNER_A, OWNER_B]


def test_no_email_when_no_owner_has_an_address(check, mailoutbox, caplog):
    tenant = make_tenant()
    make_user(tenant, email="")
    make_user(tenant, email="member@example.com", role=Membership.Role.EDITOR)
    connection = make_connection(tenant)
    deactivate(connection)

    with caplog.at_level(logging.WARNING, logger="publishing.services.notifications"):
        check(connection)

    assert mailoutbox == []
    assert f"Connection {connection.pk} is needs_reconnect, but no owner" in caplog.text


# --- when sending fails ------------------------------------------------------------------------


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses one address and takes the others."""

    refused = OWNER_A
    delivered: list = []

    def send_messages(self, messages):
        for message in messages:
            if self.refused in message.to:
                raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"No such user")})
            type(self).delivered.append(message)
        return len(messages)


class UnreachableBackend(BaseEmailBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):  # pragma: no cover - never reached
        raise AssertionError("not opened")


def test_an_owner_whose_address_is_refused_is_logged_and_the_others_are_still_told(tenant, check, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.delivered = []
    connection = make_connection(tenant)
    deactivate(connection)

    with caplog.at_level(logging.ERROR, logger="publishing.services.notifications"):
        assert check(connection) == "needs_reconnect"

    assert [message.to for message in RefusingBackend.delivered] == [[OWNER_B]]
    assert f"Connection {connection.pk}: the needs_reconnect email to an owner could not be sent" in caplog.text


def test_an_unreachable_mail_server_is_logged_and_never_breaks_the_caller(tenant, check, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableBackend"
    connection = make_connection(tenant)
    deactivate(connection)

    with caplog.at_level(logging.ERROR, logger="publishing.services.notifications"):
        assert check(connection) == "needs_reconnect"

    assert f"Connection {connection.pk}: the needs_reconnect emails could not be sent" in caplog.text
    assert "Connection refused" in caplog.text
    # The change is recorded all the same: the next check does not try again.
    assert PinterestConnection.objects.get(pk=connection.pk).notified_health == "needs_reconnect"


def test_the_service_returns_how_many_owners_were_emailed(tenant, mailoutbox):
    connection = make_connection(tenant)
    assert connection_health_notify_owners(connection=connection, health="ok", detail="", previous="spam_blocked") == 2
    assert "it was: blocked for spam" in mailoutbox[0].body


# --- settings ----------------------------------------------------------------------------------


def email_settings(**env):
    """The EMAIL_* settings a fresh process reads from ``env`` (settings are read once, at start)."""
    names = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT",
             "DEFAULT_FROM_EMAIL"]
    code = f"import json, pinpublisher.settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    base = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_") and k != "DEBUG"}
    result = subprocess.run([sys.executable, "-c", code], cwd=django_settings.BASE_DIR, env={**base, **env},
                            capture_output=True, text=True, timeout=60)
    return result.returncode, (json.loads(result.stdout) if result.returncode == 0 else result.stderr)


def test_email_prints_to_the_console_with_debug_on_and_goes_out_by_smtp_with_debug_off():
    _, debug = email_settings(DEBUG="1")
    _, production = email_settings(DEBUG="0")
    assert debug["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert production["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (production["EMAIL_HOST"], production["EMAIL_PORT"], production["EMAIL_TIMEOUT"]) == ("localhost", 25, 10)


def test_email_settings_come_from_the_environment_and_tls_with_ssl_is_refused():
    _, tls = email_settings(DEBUG="0", EMAIL_HOST="smtp.example.com", EMAIL_USE_TLS="1", EMAIL_TIMEOUT="5",
                            DEFAULT_FROM_EMAIL="pins@example.com")
    assert (tls["EMAIL_HOST"], tls["EMAIL_PORT"], tls["EMAIL_USE_TLS"], tls["EMAIL_TIMEOUT"]) == (
        "smtp.example.com", 587, True, 5)
    assert tls["DEFAULT_FROM_EMAIL"] == "pins@example.com"
    assert email_settings(EMAIL_USE_SSL="1")[1]["EMAIL_PORT"] == 465
    code, error = email_settings(EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert code != 0 and "mutually exclusive" in error
