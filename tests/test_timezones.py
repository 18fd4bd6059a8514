"""Times always name their zone (pinpublisher.timezones, the ``when`` filter, the date formats)."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils.formats import localize

from pinpublisher.timezones import format_when, zone_name_problem
from publishing.models import BlogProject
from tests.factories import make_project
from tests.test_admin_forms import admin_post

MOMENT = datetime(2026, 11, 30, 22, 8, tzinfo=UTC)


def test_a_time_is_shown_in_the_servers_zone_with_its_name():
    assert format_when(MOMENT) == "Nov. 30, 2026, 10:08 p.m. UTC"


def test_a_projects_zone_is_named_and_applied():
    assert format_when(MOMENT, zone="Europe/Paris") == "Nov. 30, 2026, 11:08 p.m. CET"
    assert format_when(MOMENT, zone="America/New_York") == "Nov. 30, 2026, 5:08 p.m. EST"


def test_no_zone_or_an_unknown_one_falls_back_to_the_servers_and_none_is_a_dash():
    assert format_when(MOMENT, zone="") == format_when(MOMENT, zone="Not/AZone") == format_when(MOMENT)
    assert format_when(None) == "—"


def test_a_time_with_no_date_in_the_zone_east_of_utc_is_shown_in_utc_saying_so():
    beyond = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)  # year 10000 in Berlin: a row from before the window
    assert format_when(beyond, zone="Europe/Berlin") == "Dec. 31, 9999, 11:30 p.m. UTC"
    assert format_when(beyond, zone="America/New_York") == "Dec. 31, 9999, 6:30 p.m. EST"


def test_the_when_filter_and_djangos_own_date_rendering_name_the_zone():
    rendered = Template("{% load when %}{{ t|when }} / {{ t|when:'Asia/Tokyo' }}").render(Context({"t": MOMENT}))
    assert rendered == "Nov. 30, 2026, 10:08 p.m. UTC / Dec. 1, 2026, 7:08 a.m. JST"
    assert localize(MOMENT).endswith(" UTC")


# --- The zones a person may choose (zone_name_problem, one rule for the API and the admin) -----

NOT_MEANT = ["localtime", "Factory", "posixrules", "posix/Europe/Berlin", "right/UTC", "/etc/localtime",
             "../zoneinfo/UTC", "zone.tab", "Europe/berlin", "Mars/Olympus"]
MEANT = ["UTC", "Europe/Berlin", "America/Adak", "US/Pacific", "Etc/GMT+5"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", NOT_MEANT)
def test_a_name_that_is_no_iana_zone_a_person_means_is_refused_by_the_api_on_create_and_change(
    tenant_api, tenant, name
):
    refusal = [f"{name!r} is not a time zone name; give an IANA name such as Europe/Berlin or UTC."]
    response = tenant_api.post("/api/projects/", {"name": "Blog", "timezone": name}, format="json")
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"timezone": refusal}
    project = make_project(tenant=tenant)
    response = tenant_api.patch(f"/api/projects/{project.pk}/", {"timezone": name}, format="json")
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"timezone": refusal}
    project.refresh_from_db()
    assert project.timezone == "UTC"


@pytest.mark.django_db
@pytest.mark.parametrize("name", MEANT)
def test_iana_names_and_their_old_links_are_taken(tenant_api, name):
    assert zone_name_problem(name) is None
    response = tenant_api.post("/api/projects/", {"name": "Blog", "timezone": name}, format="json")
    assert response.status_code == 201 and response.json()["timezone"] == name


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["localtime", "right/Europe/Berlin"])
def test_the_admins_project_form_refuses_them_with_the_same_message(admin_user_client, tenant, name):
    _, errors = admin_post(admin_user_client, reverse("admin:publishing_blogproject_add"),
                           {"tenant": tenant.pk, "name": "Blog", "pinterest_connection": "", "timezone": name})
    assert errors["timezone"] == [f"{name!r} is not a time zone name; give an IANA name such as Europe/Berlin or UTC."]
    assert not BlogProject.objects.exists()
