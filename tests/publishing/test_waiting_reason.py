"""A due pin held back by its project's account says why: ``waiting_reason`` in the rules, the
pin API and the admin's pins changelist, without a query per pin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from publishing.models import PinStatus
from publishing.rules import MSG_NO_CONNECTION, waiting_reason
from tests.factories import make_board, make_connection, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db

SECRET_MARK = "_secret"  # every factory token contains it


def due_pin(tenant, connection=None, **fields):
    """A pin ready to schedule, due an hour ago, in a project publishing with ``connection``."""
    project = make_project(tenant=tenant, connection=connection)
    board = make_board(connection=connection) if connection is not None else None
    return make_pin(project=project, board=board, **{"scheduled_at": timezone.now() - timedelta(hours=1), **fields})


def refresh_failing(tenant, *, expired):
    now = timezone.now()
    return make_connection(
        tenant=tenant,
        username="failing",
        access_token_expires_at=now + (-timedelta(hours=2) if expired else timedelta(days=3)),
        refresh_failing_since=now - timedelta(hours=5),
        last_error="Pinterest is unavailable (503)",
    )


@pytest.fixture
def held_back(tenant):
    """One due pin per reason an account holds it back."""
    now = timezone.now()
    return {
        "no account": due_pin(tenant),
        "inactive": due_pin(tenant, make_connection(
            tenant=tenant, username="gone", is_active=False, last_error="Pinterest rejected the token (401)")),
        "spam blocked": due_pin(tenant, make_connection(
            tenant=tenant, username="blocked", access_token_expires_at=now + timedelta(days=20),
            spam_blocked_at=now - timedelta(hours=1), spam_blocked_until=now + timedelta(hours=23))),
        "refresh failing": due_pin(tenant, refresh_failing(tenant, expired=True)),
    }


# --- the rule --------------------------------------------------------------------------------


def test_a_due_pin_held_back_by_its_account_says_why(held_back):
    now = timezone.now()
    assert waiting_reason(held_back["no account"], now) == MSG_NO_CONNECTION
    inactive = waiting_reason(held_back["inactive"], now)
    assert "@gone" in inactive and "inactive" in inactive and "Pinterest rejected the token (401)" in inactive
    blocked = waiting_reason(held_back["spam blocked"], now)
    assert "@blocked" in blocked and "suspected spam" in blocked and "publishing resumes after" in blocked
    failing = waiting_reason(held_back["refresh failing"], now)
    assert "@failing" in failing and "expired" in failing and "Pinterest is unavailable (503)" in failing
    assert "retried automatically" in failing


def test_a_normal_due_pin_has_no_waiting_reason(tenant):
    connection = make_connection(tenant=tenant, access_token_expires_at=timezone.now() + timedelta(days=20))
    assert waiting_reason(due_pin(tenant, connection), timezone.now()) is None


def test_a_refresh_failing_while_the_token_still_works_holds_nothing_back(tenant):
    assert waiting_reason(due_pin(tenant, refresh_failing(tenant, expired=False)), timezone.now()) is None


@pytest.mark.parametrize(
    "fields",
    [
        {"status": PinStatus.DRAFT},
        {"status": PinStatus.ERROR},
        {"status": PinStatus.PUBLISHED},
        {"scheduled_at": None},
        {"scheduled_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "error", "published", "unscheduled", "scheduled later"],
)
def test_a_pin_that_is_not_due_waits_for_nothing_even_without_an_account(tenant, fields):
    pin = due_pin(tenant, **fields)
    assert waiting_reason(pin, timezone.now()) is None


# --- API -------------------------------------------------------------------------------------


def test_pin_api_shows_the_waiting_reason_and_null_for_a_pin_that_publishes(tenant_api, tenant, held_back):
    connection = make_connection(tenant=tenant, access_token_expires_at=timezone.now() + timedelta(days=20))
    normal = due_pin(tenant, connection)
    for name, pin in held_back.items():
        response = tenant_api.get(f"/api/pins/{pin.pk}/")
        assert response.status_code == 200
        assert response.json()["waiting_reason"] == waiting_reason(pin, timezone.now()), name
        assert response.json()["waiting_reason"], name
        assert SECRET_MARK not in response.content.decode()
    assert tenant_api.get(f"/api/pins/{normal.pk}/").json()["waiting_reason"] is None
    listed = {p["id"]: p["waiting_reason"] for p in tenant_api.get("/api/pins/").json()["results"]}
    assert listed[str(normal.pk)] is None
    assert all(listed[str(pin.pk)] for pin in held_back.values())


def test_pin_list_reads_the_accounts_without_a_query_per_pin(tenant_api, tenant, django_assert_max_num_queries):
    blocked = make_connection(
        tenant=tenant, is_active=False, last_error="Pinterest rejected the token (401)")
    due_pin(tenant, blocked)
    with django_assert_max_num_queries(50) as one:
        assert tenant_api.get("/api/pins/").status_code == 200
    for _ in range(5):
        due_pin(tenant, make_connection(tenant=tenant, is_active=False))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = tenant_api.get("/api/pins/")
    assert len([p for p in response.json()["results"] if p["waiting_reason"]]) == 6


# --- admin -----------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, tenant):
    client.force_login(make_user(tenant=tenant, is_staff=True))
    return client


def test_admin_pins_changelist_shows_a_waiting_badge_with_the_reason(staff_client, tenant, held_back):
    normal = due_pin(tenant, make_connection(tenant=tenant, access_token_expires_at=timezone.now() + timedelta(days=1)))
    body = staff_client.get(reverse("admin:publishing_pin_changelist")).content.decode()
    for label in ("Waiting: no Pinterest account", "Waiting: needs reconnecting", "Waiting: blocked for spam",
                  "Waiting: refresh failing"):
        assert f">{label}</span>" in body, label
    assert f'title="{MSG_NO_CONNECTION}"' in body
    assert body.count(">Waiting: ") == len(held_back)
    assert normal.title in body
    assert SECRET_MARK not in body


def test_admin_pins_changelist_reads_the_accounts_without_a_query_per_pin(
    staff_client, tenant, django_assert_max_num_queries
):
    due_pin(tenant, make_connection(tenant=tenant, is_active=False))
    url = reverse("admin:publishing_pin_changelist")
    with django_assert_max_num_queries(100) as one:
        staff_client.get(url)
    for _ in range(5):
        due_pin(tenant, make_connection(tenant=tenant, is_active=False))
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = staff_client.get(url).content.decode()
    assert body.count(">Waiting: needs reconnecting</span>") == 6
