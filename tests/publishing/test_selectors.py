"""The publishing app's reads: scoped to the tenant, filtered, ordered, due and stuck pins."""

from datetime import timedelta

import pytest
from django.utils import timezone

from publishing import selectors
from publishing.models import PinStatus
from tests.factories import make_board, make_connection, make_pin, make_project, make_tenant

pytestmark = pytest.mark.django_db


def test_a_tenants_pins_never_include_another_tenants():
    mine, theirs = make_pin(), make_pin()
    assert list(selectors.pins_for_tenant(tenant=mine.project.tenant)) == [mine]
    assert list(selectors.pins_for_tenant(tenant=theirs.project.tenant)) == [theirs]


def test_pins_filter_by_status_and_schedule_window_and_order_with_empty_times_last():
    now = timezone.now()
    early = make_pin(scheduled_at=now + timedelta(hours=1))
    tenant_project = early.project
    late = make_pin(project=tenant_project, board=early.board, scheduled_at=now + timedelta(hours=3))
    unscheduled = make_pin(project=tenant_project, board=early.board, scheduled_at=None)
    make_pin(project=tenant_project, board=early.board, status=PinStatus.PUBLISHED)
    filters = selectors.PinFilters(statuses=("ready_to_schedule",), ordering=("scheduled_at",))
    assert list(selectors.pins_for_tenant(tenant=tenant_project.tenant, filters=filters)) == [
        early, late, unscheduled,
    ]
    window = selectors.PinFilters(scheduled_after=now + timedelta(hours=2), scheduled_before=now + timedelta(hours=4))
    assert list(selectors.pins_for_tenant(tenant=tenant_project.tenant, filters=window)) == [late]


def test_pins_filter_by_account_the_one_their_project_publishes_through_drafts_without_board_too():
    kept = make_pin()
    tenant = kept.project.tenant
    draft = make_pin(project=kept.project, board=None, status=PinStatus.DRAFT)
    other = make_project(tenant=tenant, connection=make_connection(tenant=tenant))
    make_pin(project=other, board=make_board(connection=other.pinterest_connection))
    make_pin(project=make_project(tenant=tenant, connection=None), board=None)
    filters = selectors.PinFilters(connection_id=kept.project.pinterest_connection_id, ordering=("created_at",))
    assert list(selectors.pins_for_tenant(tenant=tenant, filters=filters)) == [kept, draft]


def test_due_pins_are_ready_scheduled_by_now_and_of_an_active_connection():
    now = timezone.now()
    due = make_pin(scheduled_at=now)
    make_pin(project=due.project, board=due.board, scheduled_at=now + timedelta(seconds=1))
    make_pin(project=due.project, board=due.board, scheduled_at=now, status=PinStatus.DRAFT)
    inactive = make_connection(is_active=False)
    make_pin(project=make_project(tenant=inactive.tenant, connection=inactive), board=make_board(connection=inactive),
             scheduled_at=now)
    assert list(selectors.pins_due(now=now)) == [due]


def test_pins_past_their_lease_are_those_publishing_longer_than_the_lease(settings):
    settings.PUBLISH_LEASE_SECONDS = 60
    now = timezone.now()
    stuck = make_pin(status=PinStatus.PUBLISHING, publishing_started_at=now - timedelta(seconds=61))
    make_pin(project=stuck.project, board=stuck.board, status=PinStatus.PUBLISHING,
             publishing_started_at=now - timedelta(seconds=59))
    assert list(selectors.pins_lease_expired(now=now)) == [stuck]


def test_pin_ids_of_another_tenant_are_not_the_tenants():
    mine, theirs = make_pin(), make_pin()
    assert selectors.pins_for_tenant_ids(tenant=mine.project.tenant, pin_ids=[mine.pk, theirs.pk]) == [mine.pk]


def test_the_dashboard_counts_by_status_for_one_tenant_or_all():
    pin = make_pin(status=PinStatus.ERROR)
    make_pin(status=PinStatus.DRAFT)
    assert selectors.pins_dashboard(tenant_id=pin.project.tenant_id, now=timezone.now())["counts"] == {"error": 1}
    assert selectors.pins_dashboard(tenant_id=None, now=timezone.now())["counts"] == {"error": 1, "draft": 1}
    assert selectors.pins_dashboard(tenant_id=make_tenant().pk, now=timezone.now())["failures"] == []
