"""A person's whole journey through the API alone: project, article, pin, schedule, lists."""

import pytest

from tests.factories import api_client, image_upload, make_board, make_connection, make_tenant, make_user

pytestmark = pytest.mark.django_db



def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def ids(response):
    return [pin["id"] for pin in ok(response)["results"]]


def test_workflow_create_schedule_unschedule_filter_and_order_through_the_api():
    tenant = make_tenant()
    connection = make_connection(tenant=tenant)
    board = make_board(connection=connection, name="Recipes")
    other_board = make_board(connection=connection, name="Travel")
    client = api_client(make_user(tenant))

    # The connection and its boards are there to pick from.
    assert ok(client.get("/api/connections/"))["results"][0]["board_count"] == 2
    boards = ok(client.get(f"/api/boards/?connection={connection.pk}"))["results"]
    assert [b["name"] for b in boards] == ["Recipes", "Travel"]

    project = ok(client.post("/api/projects/", {"name": "Food blog", "pinterest_connection": connection.pk},
                             format="json"), 201)
    article = ok(client.post("/api/articles/", {"project": project["id"], "url": "https://food.example.com/soup",
                                                "title": "Soup"}, format="json"), 201)
    second_article = ok(client.post("/api/articles/", {"project": project["id"],
                                                       "url": "https://food.example.com/bread"},
                                    format="json"), 201)

    # A pin with an uploaded image (multipart), one with an image URL.
    soup = ok(client.post("/api/pins/", {"project": project["id"], "article": article["id"], "board": board.pk,
                                         "title": "Best soup", "image": image_upload()},
                          format="multipart"), 201)
    assert soup["status"] == "draft" and soup["image"].endswith(".png")
    bread = ok(client.post("/api/pins/", {"project": project["id"], "article": second_article["id"],
                                          "board": other_board.pk, "title": "Bread",
                                          "image_url": "https://food.example.com/bread.jpg"},
                           format="json"), 201)
    soon = ok(client.post("/api/pins/", {"project": project["id"], "article": article["id"], "board": board.pk,
                                         "title": "Another soup", "image": image_upload()},
                          format="multipart"), 201)

    # Schedule two, with offsets; unschedule one of them again.
    scheduled = ok(client.post(f"/api/pins/{soup['id']}/schedule/",
                               {"scheduled_at": "2030-03-01T10:00:00+01:00"}, format="json"))
    assert (scheduled["status"], scheduled["scheduled_at"]) == ("ready_to_schedule", "2030-03-01T09:00:00Z")
    ok(client.post(f"/api/pins/{soon['id']}/schedule/", {"scheduled_at": "2030-02-01T09:00:00Z"},
                   format="json"))
    ok(client.post(f"/api/pins/{bread['id']}/schedule/", {"scheduled_at": "2030-04-01T09:00:00Z"},
                   format="json"))
    unscheduled = ok(client.post(f"/api/pins/{bread['id']}/unschedule/"))
    assert (unscheduled["status"], unscheduled["scheduled_at"]) == ("draft", None)
    assert ok(client.get(f"/api/pins/{soup['id']}/"))["status"] == "ready_to_schedule"

    # Each filter.
    assert set(ids(client.get("/api/pins/?status=ready_to_schedule"))) == {soup["id"], soon["id"]}
    assert ids(client.get("/api/pins/?status=draft")) == [bread["id"]]
    assert len(ids(client.get("/api/pins/?status=draft,ready_to_schedule"))) == 3
    assert len(ids(client.get(f"/api/pins/?project={project['id']}"))) == 3
    assert ids(client.get(f"/api/pins/?board={other_board.pk}")) == [bread["id"]]
    assert ids(client.get(f"/api/pins/?article={second_article['id']}")) == [bread["id"]]
    assert ids(client.get("/api/pins/?scheduled_after=2030-02-15T00:00:00Z")) == [soup["id"]]
    assert ids(client.get("/api/pins/?scheduled_before=2030-02-15T00:00:00%2B00:00")) == [soon["id"]]
    assert ids(client.get("/api/pins/?scheduled_after=2030-02-01T09:00:00Z"
                          "&scheduled_before=2030-03-01T09:00:00Z")) == [soon["id"]]

    # Ordering: newest first by default; by schedule (unscheduled last either way); by title.
    assert ids(client.get("/api/pins/")) == [soon["id"], bread["id"], soup["id"]]
    assert ids(client.get("/api/pins/?ordering=scheduled_at")) == [soon["id"], soup["id"], bread["id"]]
    assert ids(client.get("/api/pins/?ordering=-scheduled_at")) == [soup["id"], soon["id"], bread["id"]]
    assert ids(client.get("/api/pins/?ordering=title")) == [soon["id"], soup["id"], bread["id"]]
    assert ids(client.get("/api/pins/?ordering=status,-created_at")) == [bread["id"], soon["id"], soup["id"]]

    # The draft can still change; then it goes.
    edited = ok(client.patch(f"/api/pins/{bread['id']}/", {"description": "Crusty"}, format="json"))
    assert edited["description"] == "Crusty"
    assert client.delete(f"/api/pins/{bread['id']}/").status_code == 204
    assert ok(client.get("/api/pins/"))["count"] == 2
