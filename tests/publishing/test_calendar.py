"""The calendar: pins per local day (the selector), and the admin pages that show them."""

from datetime import UTC, date, datetime

import pytest

from publishing.models import PinStatus
from publishing.selectors_calendar import calendar_pins_by_day
from tests.factories import make_board, make_connection, make_pin, make_project, make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(tenant):
    connection = make_connection(tenant=tenant)
    board = make_board(connection=connection)
    berlin = make_project(tenant=tenant, connection=connection, timezone="Europe/Berlin", name="Berlin blog")
    utc = make_project(tenant=tenant, connection=connection, timezone="UTC", name="UTC blog")
    return board, berlin, utc


def test_pins_fall_on_their_projects_local_day(projects, tenant):
    board, berlin, utc = projects
    late = make_pin(project=berlin, board=board, scheduled_at=datetime(2030, 5, 1, 22, 30, tzinfo=UTC))  # 00:30 2 May
    same_instant = make_pin(project=utc, board=board, scheduled_at=datetime(2030, 5, 1, 22, 30, tzinfo=UTC))
    published = make_pin(project=berlin, board=board, status=PinStatus.PUBLISHED,
                         scheduled_at=datetime(2030, 4, 1, tzinfo=UTC),
                         published_at=datetime(2030, 5, 3, 9, tzinfo=UTC))
    failed = make_pin(project=berlin, board=board, status=PinStatus.ERROR, scheduled_at=None,
                      claimed_at=datetime(2030, 5, 3, 8, tzinfo=UTC))
    make_pin(project=berlin, board=board, status=PinStatus.DRAFT, scheduled_at=datetime(2030, 5, 2, 9, tzinfo=UTC))
    make_pin(project=make_project(tenant=make_tenant()), scheduled_at=datetime(2030, 5, 2, 9, tzinfo=UTC))
    days = calendar_pins_by_day(tenant_id=tenant.pk, start=date(2030, 5, 1), end=date(2030, 5, 3))
    assert [[entry.pin.pk for entry in days[day]] for day in sorted(days)] == [
        [same_instant.pk], [late.pk], [failed.pk, published.pk],
    ]
    (entry,) = days[date(2030, 5, 2)]
    assert entry.at.strftime("%H:%M") == "00:30" and entry.zone_abbreviation == "CEST"
    assert entry.zone_name == "Europe/Berlin"


def test_one_projects_calendar_has_only_its_pins_and_empty_days(projects, tenant):
    board, berlin, utc = projects
    make_pin(project=utc, board=board, scheduled_at=datetime(2030, 5, 1, 9, tzinfo=UTC))
    days = calendar_pins_by_day(tenant_id=tenant.pk, project_id=berlin.pk, start=date(2030, 5, 1),
                                end=date(2030, 5, 7))
    assert len(days) == 7 and not any(days.values())


def test_a_range_longer_than_six_weeks_is_refused(tenant):
    with pytest.raises(ValueError, match="1 to 42 days"):
        calendar_pins_by_day(tenant_id=tenant.pk, start=date(2030, 1, 1), end=date(2030, 3, 1))


def test_the_month_page_shows_each_pin_on_its_day_with_thumbnail_status_zone_and_link(admin_user_client, projects):
    board, berlin, _utc = projects
    pin = make_pin(project=berlin, board=board, title="Spring soup",
                   scheduled_at=datetime(2030, 5, 1, 22, 30, tzinfo=UTC))
    url = f"/admin/publishing/blogproject/{berlin.pk}/calendar/?view=month&date=2030-05-01"
    response = admin_user_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    day = html.split('data-date="2030-05-02"', 1)[1].split("</td>", 1)[0]
    assert "Spring soup" in day and "pp-status-ready_to_schedule" in day
    assert f"/admin/publishing/pin/{pin.pk}/change/" in day and "<img" in day
    assert '00:30 <abbr title="Europe/Berlin">CEST</abbr>' in day
    # One element (one flex item of the zone bar): the sentence is not torn apart by the bar's gaps.
    note = """<span class="pp-zone-note">Times in <strong>Europe/Berlin</strong>, the project's time zone.</span>"""
    assert note in html
    assert "May 2030" in html
    assert "Spring soup" not in html.split('data-date="2030-05-02"', 1)[0]


def test_the_week_page_and_the_tenant_page_show_every_project(admin_user_client, projects):
    board, berlin, utc = projects
    make_pin(project=berlin, board=board, title="Berlin pin", scheduled_at=datetime(2030, 5, 1, 9, tzinfo=UTC))
    make_pin(project=utc, board=board, title="UTC pin", status=PinStatus.PUBLISHED,
             published_at=datetime(2030, 5, 2, 9, tzinfo=UTC))
    response = admin_user_client.get("/admin/publishing/blogproject/calendar/?view=week&date=2030-05-01")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Berlin pin" in html and "UTC pin" in html and "pp-status-published" in html
    assert "29 Apr – 05 May 2030" in html and html.count('data-date=') == 7


def test_another_tenants_project_calendar_is_not_found(client, projects):
    from tests.factories import make_user

    _board, berlin, _utc = projects
    client.force_login(make_user(is_staff=True))
    assert client.get(f"/admin/publishing/blogproject/{berlin.pk}/calendar/").status_code == 404


def test_the_tenant_page_shows_no_other_tenants_pins(client, projects):
    from tests.factories import make_user

    board, berlin, _utc = projects
    make_pin(project=berlin, board=board, title="Not yours", scheduled_at=datetime(2030, 5, 1, 9, tzinfo=UTC))
    client.force_login(make_user(is_staff=True))
    html = client.get("/admin/publishing/blogproject/calendar/?date=2030-05-01").content.decode()
    assert "Not yours" not in html


def test_a_pin_of_a_project_whose_stored_zone_is_no_zone_falls_on_its_utc_day(tenant):
    board = make_board(connection=make_connection(tenant=tenant))
    project = make_project(tenant=tenant, connection=board.connection)
    type(project).objects.filter(pk=project.pk).update(timezone="Mars/Phobos")  # direct SQL, or before the rule
    pin = make_pin(project=project, board=board, scheduled_at=datetime(2030, 5, 1, 23, 30, tzinfo=UTC))
    days = calendar_pins_by_day(tenant_id=tenant.pk, start=date(2030, 5, 1), end=date(2030, 5, 2))
    (entry,) = days[date(2030, 5, 1)]
    assert entry.pin.pk == pin.pk and entry.zone_name == "UTC" and entry.local_time == "23:30"


def test_a_pin_with_no_date_in_its_projects_zone_is_on_its_utc_day(projects, tenant):
    board, berlin, _utc = projects
    pin = make_pin(project=berlin, board=board, status=PinStatus.PUBLISHED,
                   published_at=datetime(9999, 12, 31, 23, 30, tzinfo=UTC))  # year 10000 in Berlin
    days = calendar_pins_by_day(tenant_id=tenant.pk, start=date(9999, 12, 25), end=date(9999, 12, 31))
    (entry,) = days[date(9999, 12, 31)]
    assert entry.pin.pk == pin.pk and entry.zone_name == "UTC"


@pytest.mark.parametrize("which", ["project", "tenant"])
def test_the_calendar_of_a_project_whose_stored_zone_is_no_zone_is_shown_in_utc_saying_so(
    admin_user_client, tenant, which
):
    board = make_board(connection=make_connection(tenant=tenant))
    project = make_project(tenant=tenant, connection=board.connection, name="Old blog")
    type(project).objects.filter(pk=project.pk).update(timezone="Mars/Phobos")
    make_pin(project=project, board=board, title="Old pin", scheduled_at=datetime(2030, 5, 1, 9, tzinfo=UTC))
    path = f"{project.pk}/calendar/" if which == "project" else "calendar/"
    response = admin_user_client.get(f"/admin/publishing/blogproject/{path}?view=month&date=2030-05-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Old pin" in html and '09:00 <abbr title="UTC">UTC</abbr>' in html
    if which == "project":
        assert "Times in <strong>UTC</strong>" in html and "Mars/Phobos" in html


@pytest.mark.parametrize("query", ["view=year", "date=2030-13-01", "date=99999-01-01"])
def test_a_malformed_calendar_query_is_a_400(admin_user_client, query):
    assert admin_user_client.get(f"/admin/publishing/blogproject/calendar/?{query}").status_code == 400
