"""The analytics endpoints: a project's and a pin's numbers over a range of days, as JSON and
CSV, tenant-scoped; "sync now" for a connection."""

import csv
import io
from datetime import date, timedelta

import pytest
from django_q.models import OrmQ

from analytics.models import PinDailyMetrics
from analytics.services.rollup import daily_rows_store
from publishing.models import PinStatus
from tests.factories import api_client, make_board, make_connection, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 10)


def day_row(pin, day, impressions, **fields):
    row = PinDailyMetrics(
        pin=pin, project=pin.project, board=pin.board, kind=pin.kind, date=day, impressions=impressions,
        saves=fields.get("saves", 1), pin_clicks=fields.get("pin_clicks", 2),
        outbound_clicks=fields.get("outbound_clicks", 1), video_views=fields.get("video_views"),
    )
    daily_rows_store(rows=[row])  # with the dashboard's rollups, as the sync writes
    return row


@pytest.fixture
def world():
    connection = make_connection()
    soups, cakes = make_board(connection=connection, name="Soups"), make_board(connection=connection, name="Cakes")
    project = make_project(tenant=connection.tenant, connection=connection)
    image = make_pin(project=project, board=soups, status=PinStatus.PUBLISHED, pinterest_pin_id="11", title="Soup")
    video = make_pin(project=project, board=cakes, status=PinStatus.PUBLISHED, pinterest_pin_id="12", kind="video",
                     title="Cake")
    for offset in range(3):
        day_row(image, DAY + timedelta(days=offset), 100, outbound_clicks=1)
        day_row(video, DAY + timedelta(days=offset), 50, outbound_clicks=5, video_views=20)
    day_row(image, DAY - timedelta(days=1), 999)  # outside the range asked for
    owner = make_user(connection.tenant)
    return {"owner": owner, "project": project, "image": image, "video": video, "connection": connection}


def get(world, url, scopes=("read",), **params):
    return api_client(world["owner"], scopes=list(scopes)).get(url, params)


def test_a_projects_analytics_give_totals_days_boards_kinds_and_top_pins(world):
    url = f"/api/projects/{world['project'].pk}/analytics/"
    response = get(world, url, **{"from": "2026-11-10", "to": "2026-11-12"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totals"] == {"impressions": 450, "saves": 6, "pin_clicks": 12, "outbound_clicks": 18}
    assert [d["date"] for d in body["per_day"]] == ["2026-11-10", "2026-11-11", "2026-11-12"]
    assert body["per_day"][0]["impressions"] == 150
    assert {b["board_name"]: b["impressions"] for b in body["per_board"]} == {"Soups": 300, "Cakes": 150}
    assert {k["kind"]: k["outbound_clicks"] for k in body["per_kind"]} == {"image": 3, "video": 15}
    assert [p["title"] for p in body["top_pins"]] == ["Cake", "Soup"]  # by outbound clicks
    assert (body["from"], body["to"]) == ("2026-11-10", "2026-11-12")


def test_a_pins_analytics_give_its_days_and_video_metrics(world):
    response = get(world, f"/api/pins/{world['video'].pk}/analytics/", **{"from": "2026-11-01", "to": "2026-11-30"})

    body = response.json()
    assert response.status_code == 200
    assert body["totals"] == {"impressions": 150, "saves": 3, "pin_clicks": 6, "outbound_clicks": 15,
                              "video_views": 60, "video_starts": 0}
    assert len(body["per_day"]) == 3 and body["per_day"][0]["video_views"] == 20
    assert body["gone"] is False


def test_the_same_numbers_come_as_csv_by_format_or_accept(world):
    url = f"/api/projects/{world['project'].pk}/analytics/"
    by_format = get(world, url, format="csv", **{"from": "2026-11-10", "to": "2026-11-12"})
    by_accept = api_client(world["owner"], scopes=["read"]).get(
        url, {"from": "2026-11-10", "to": "2026-11-12"}, HTTP_ACCEPT="text/csv"
    )

    assert by_format.status_code == by_accept.status_code == 200
    assert by_format["Content-Type"].startswith("text/csv") and by_format.content == by_accept.content
    table = list(csv.DictReader(io.StringIO(by_format.content.decode())))
    assert table[0] == {"section": "total", "key": "", "label": "2026-11-10 to 2026-11-12", "impressions": "450",
                        "saves": "6", "pin_clicks": "12", "outbound_clicks": "18"}
    assert [row["section"] for row in table].count("day") == 3
    pin_csv = get(world, f"/api/pins/{world['image'].pk}/analytics/", format="csv", **{"from": "2026-11-10"})
    assert list(csv.DictReader(io.StringIO(pin_csv.content.decode())))[0]["impressions"] == "100"


@pytest.mark.parametrize("params,field", [
    ({"from": "yesterday"}, "from"), ({"to": "2026-13-01"}, "to"), ({"from": "2026-11-12", "to": "2026-11-10"}, "from"),
    ({"from": "2020-01-01", "to": "2026-11-10"}, "from"),
])
def test_a_bad_from_or_to_is_a_400_naming_the_field(world, params, field):
    for url in (f"/api/projects/{world['project'].pk}/analytics/", f"/api/pins/{world['image'].pk}/analytics/"):
        response = get(world, url, **params)

        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == [field]
        assert get(world, url, format="csv", **params).json()["error"]["fields"][field]


def test_another_tenants_project_pin_and_connection_are_404(world):
    stranger = make_user(make_project().tenant)
    client = api_client(stranger)

    for url in (f"/api/projects/{world['project'].pk}/analytics/", f"/api/pins/{world['image'].pk}/analytics/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/api/connections/{world['connection'].pk}/sync-analytics/").status_code == 404
    assert not OrmQ.objects.exists()


def test_sync_now_queues_the_connections_sync(world):
    response = api_client(world["owner"], scopes=["connections:write"]).post(
        f"/api/connections/{world['connection'].pk}/sync-analytics/"
    )

    assert response.status_code == 202, response.content
    assert response.json()["queued"] is True
    (queued,) = OrmQ.objects.all()
    assert queued.func() == "analytics.tasks.sync_connection_analytics" and queued.args() == (world["connection"].pk,)


def test_sync_now_of_an_inactive_connection_is_409(world):
    world["connection"].is_active = False
    world["connection"].save()

    response = api_client(world["owner"]).post(f"/api/connections/{world['connection'].pk}/sync-analytics/")

    assert response.status_code == 409 and response.json()["error"]["code"] == "connection_inactive"
