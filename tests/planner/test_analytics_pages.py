"""The planner's analytics through Django's test client: a project's page (totals, charts as named
pictures, top pins linking to their pages) shows the selector's numbers over 30 or 90 days ending
yesterday in the project's zone, within the member's tenant; an empty state before any sync; "Sync
now" queues the API's sync; a published pin's sparkline on its page; the last 7 days on the pins list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.models import OrmQ

from analytics.models import PinDailyMetrics
from analytics.selectors import project_analytics
from analytics.services.lease import sync_lease_take
from analytics.services.rollup import daily_rows_store
from planner.analytics_reads import last_day
from publishing.models import PinStatus
from tests.factories import make_board, make_connection, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db

PAGE = "/planner/analytics/"


def day_row(pin, days_ago, impressions, saves=2, outbound_clicks=1):
    day = last_day(pin.project, timezone.now()) - timedelta(days=days_ago)
    return PinDailyMetrics(pin=pin, project=pin.project, board=pin.board, kind=pin.kind, date=day,
                           impressions=impressions, saves=saves, pin_clicks=3, outbound_clicks=outbound_clicks)


@pytest.fixture
def world(tenant):
    connection = make_connection(tenant=tenant)
    soups, cakes = make_board(connection=connection, name="Soups"), make_board(connection=connection, name="Cakes")
    project = make_project(tenant=tenant, connection=connection, name="Kitchen", timezone="Europe/Berlin")
    soup = make_pin(project=project, board=soups, status=PinStatus.PUBLISHED, pinterest_pin_id="11", title="Soup",
                    published_at=timezone.now() - timedelta(days=60))
    cake = make_pin(project=project, board=cakes, status=PinStatus.PUBLISHED, pinterest_pin_id="12", title="Cake",
                    kind="video", published_at=timezone.now() - timedelta(days=60))
    rows = [day_row(soup, n, 1000 + n, outbound_clicks=1) for n in range(30)]
    rows += [day_row(cake, n, 500, outbound_clicks=4) for n in range(30)]
    rows.append(day_row(soup, 45, 1_000_000))  # only in the last 90 days
    daily_rows_store(rows=rows)
    return {"member": make_user(tenant=tenant), "project": project, "soup": soup, "cake": cake,
            "connection": connection}


@pytest.fixture
def member(client, world):
    client.force_login(world["member"])
    return client


def test_the_page_shows_the_selectors_totals_over_the_last_30_days(member, world):
    project = world["project"]
    end = last_day(project, timezone.now())
    expected = project_analytics(project=project, start=end - timedelta(days=29), end=end)["totals"]

    response = member.get(PAGE, {"project": project.pk, "days": 30})

    assert response.status_code == 200
    shown = {name: int(text.replace(",", "")) for name, _, text in response.context["page"]["total_cards"]}
    assert shown == expected
    assert expected["impressions"] == sum(1000 + n for n in range(30)) + 30 * 500
    assert f'data-metric="impressions">{expected["impressions"]:,}<' in response.content.decode()


def test_ninety_days_reach_further_back(member, world):
    response = member.get(PAGE, {"project": world["project"].pk, "days": 90})
    assert response.context["page"]["totals"]["impressions"] == sum(1000 + n for n in range(30)) + 15000 + 1_000_000
    assert response.context["days"] == 90


def test_charts_are_named_pictures_and_top_pins_link_to_their_pages(member, world):
    body = member.get(PAGE, {"project": world["project"].pk}).content.decode()
    assert body.count('role="img"') == 4
    assert 'aria-label="Impressions per board: Soups 30,435, Cakes 15,000"' in body
    assert "<title>Impressions per pin kind: Image 30,435, Video 15,000</title>" in body
    # By outbound clicks: the cake (4 a day) before the soup (1 a day).
    cake, soup = (body.index(f'href="/planner/pins/{world[name].pk}/"') for name in ("cake", "soup"))
    assert cake < soup


def test_the_first_project_is_shown_without_one_and_an_unknown_range_is_30_days(member, world):
    response = member.get(PAGE, {"days": "7"})
    assert response.context["project"] == world["project"]
    assert response.context["days"] == 30


def test_another_tenants_project_is_not_found(member, world):
    other = make_project(connection=make_connection())
    assert member.get(PAGE, {"project": other.pk}).status_code == 404
    assert member.get(PAGE, {"project": "abc"}).status_code == 404
    assert member.post(f"/planner/analytics/projects/{other.pk}/sync/").status_code == 404
    assert not OrmQ.objects.exists()


def test_a_project_without_data_says_analytics_come_after_publishing(member, world):
    quiet = make_project(tenant=world["project"].tenant, connection=world["connection"])
    body = member.get(PAGE, {"project": quiet.pk}).content.decode()
    assert "No analytics yet: synced daily after publishing." in body
    assert 'role="img"' not in body


def test_the_nav_links_to_the_analytics(member, world):
    body = member.get(PAGE).content.decode()
    assert 'href="/planner/analytics/" aria-current="page">Analytics</a>' in body


def test_sync_now_queues_the_projects_account_and_says_so(member, world):
    response = member.post(f"/planner/analytics/projects/{world['project'].pk}/sync/", {"days": "90"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{PAGE}?project={world['project'].pk}&days=90"
    assert "queued" in response.content.decode()
    assert OrmQ.objects.count() == 1


def test_sync_now_refuses_an_account_that_is_not_connected(member, world):
    world["connection"].is_active = False
    world["connection"].save()
    response = member.post(f"/planner/analytics/projects/{world['project'].pk}/sync/", follow=True)
    assert "Not synced" in response.content.decode()
    assert not OrmQ.objects.exists()


def test_sync_now_refuses_an_account_being_synced_with_the_apis_words(member, world):
    sync_lease_take(connection_id=world["connection"].pk)  # the daily job's sync is running
    response = member.post(f"/planner/analytics/projects/{world['project'].pk}/sync/", follow=True)
    assert "Not synced: Pinterest account" in response.content.decode()
    assert "is already syncing its analytics" in response.content.decode()
    assert not OrmQ.objects.exists()


def test_a_published_pin_shows_its_impressions_sparkline(member, world):
    body = member.get(f"/planner/pins/{world['soup'].pk}/").content.decode()
    total = sum(1000 + n for n in range(30))
    assert 'id="pin-spark"' in body
    assert f"Impressions per day over the last 30 days: {total:,} in all" in body


def test_a_pin_never_published_has_no_sparkline(member, world):
    draft = make_pin(project=world["project"], status=PinStatus.DRAFT)
    assert 'id="pin-spark"' not in member.get(f"/planner/pins/{draft.pk}/").content.decode()


def tenant_week_impressions(project):
    """What the world's rows (dated by the project's zone) give over the tenant-wide 7 days, which
    end yesterday in UTC: between midnight in Berlin and midnight in UTC the two differ by a day."""
    end = last_day(None, timezone.now())
    top = last_day(project, timezone.now())
    return sum(1000 + n + 500 for n in range(30) if end - timedelta(days=6) <= top - timedelta(days=n) <= end)


def test_the_pins_list_shows_the_last_7_days(member, world):
    response = member.get("/planner/pins/")
    week = response.context["week"]["totals"]
    assert week["impressions"] == tenant_week_impressions(world["project"])
    assert f"{week['impressions']:,} impressions" in response.content.decode()


def test_another_tenants_numbers_never_reach_the_pins_lists_7_days(member, world):
    stranger = make_pin(project=make_project(connection=make_connection()), status=PinStatus.PUBLISHED)
    daily_rows_store(rows=[day_row(stranger, 1, 10**6)])
    assert member.get("/planner/pins/").context["week"]["totals"]["impressions"] == tenant_week_impressions(
        world["project"])


def test_a_project_without_an_account_shows_no_sync_button_and_its_sync_is_refused(member, world):
    loose = make_project(tenant=world["project"].tenant, name="No account")
    body = member.get(PAGE, {"project": loose.pk}).content.decode()
    assert "The project has no Pinterest account." in body and 'id="an-sync-now"' not in body
    response = member.post(f"/planner/analytics/projects/{loose.pk}/sync/", follow=True)
    assert "Not synced: the project has no Pinterest account." in response.content.decode()
    assert not OrmQ.objects.exists()


def test_the_pages_queries_do_not_grow_with_the_pins(member, world):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert member.get(PAGE, {"project": world["project"].pk, "days": 90}).status_code == 200
        return len(captured)

    before = queries()
    more = [make_pin(project=world["project"], board=world["soup"].board, status=PinStatus.PUBLISHED,
                     published_at=timezone.now()) for _ in range(6)]
    daily_rows_store(rows=[day_row(pin, n, 10) for pin in more for n in range(5)])
    assert queries() == before
