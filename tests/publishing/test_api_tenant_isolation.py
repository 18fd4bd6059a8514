"""Another tenant's objects are invisible: every endpoint and method answers 404, changes nothing."""

import pytest
from django.forms.models import model_to_dict

from pinterest.models import Board, PinterestConnection
from publishing.models import BlogArticle, BlogProject, Pin, PinStatus
from tests.factories import (
    api_client,
    image_upload,
    make_article,
    make_board,
    make_connection,
    make_pin,
    make_project,
    make_user,
)

pytestmark = pytest.mark.django_db



@pytest.fixture
def theirs():
    """The other tenant's objects; the caller has its own valid ones too (see ``mine``)."""
    connection = make_connection()
    board = make_board(connection=connection)
    project = make_project(tenant=connection.tenant, connection=connection)
    article = make_article(project=project)
    pin = make_pin(project=project, board=board, article=article, status=PinStatus.DRAFT)
    return {"connection": connection, "board": board, "project": project, "article": article, "pin": pin}


@pytest.fixture
def mine():
    connection = make_connection()
    board = make_board(connection=connection)
    project = make_project(tenant=connection.tenant, connection=connection)
    article = make_article(project=project)
    return {"tenant": connection.tenant, "board": board, "project": project, "article": article}


@pytest.fixture
def client(mine):
    return api_client(make_user(mine["tenant"]))


def snapshot():
    return {
        model.__name__: sorted((str(row.pk), repr(model_to_dict(row))) for row in model.objects.all())
        for model in (PinterestConnection, Board, BlogProject, BlogArticle, Pin)
    }


# (method, url template, body maker, format): every object URL and method of the API.
# Bodies are valid for the caller's own objects, so only the tenant check can refuse them.
OBJECT_ENDPOINTS = [
    ("get", "/api/projects/{project}/", None, None),
    ("put", "/api/projects/{project}/", lambda m: {"name": "Taken over"}, "json"),
    ("patch", "/api/projects/{project}/", lambda m: {"name": "Taken over"}, "json"),
    ("delete", "/api/projects/{project}/", None, None),
    ("get", "/api/articles/{article}/", None, None),
    ("put", "/api/articles/{article}/",
     lambda m: {"project": m["project"].pk, "url": "https://evil.example.com/"}, "json"),
    ("patch", "/api/articles/{article}/", lambda m: {"title": "Taken over"}, "json"),
    ("delete", "/api/articles/{article}/", None, None),
    ("get", "/api/pins/{pin}/", None, None),
    ("put", "/api/pins/{pin}/",
     lambda m: {"project": m["project"].pk, "article": m["article"].pk, "image_url": "https://e.example.com/i.png"},
     "json"),
    ("patch", "/api/pins/{pin}/", lambda m: {"title": "Taken over"}, "json"),
    ("patch", "/api/pins/{pin}/", lambda m: {"image": image_upload()}, "multipart"),
    ("delete", "/api/pins/{pin}/", None, None),
    ("post", "/api/pins/{pin}/schedule/", lambda m: {"scheduled_at": "2030-01-01T00:00:00Z"}, "json"),
    ("post", "/api/pins/{pin}/unschedule/", None, None),
    ("get", "/api/connections/{connection}/", None, None),
    ("get", "/api/boards/{board}/", None, None),
]


@pytest.mark.parametrize(
    "method,template,body,fmt", OBJECT_ENDPOINTS, ids=[f"{m} {t}" for m, t, _, _ in OBJECT_ENDPOINTS]
)
def test_another_tenants_object_is_404_and_unchanged(client, mine, theirs, method, template, body, fmt):
    url = template.format(**{name: obj.pk for name, obj in theirs.items()})
    before = snapshot()
    kwargs = {"format": fmt} if fmt else {}
    response = getattr(client, method)(url, body(mine) if body else None, **kwargs)
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"
    assert snapshot() == before


def test_lists_show_only_your_tenants_objects(client, mine, theirs):
    make_pin(project=mine["project"], board=mine["board"], article=mine["article"])
    for url, name in [("/api/projects/", "project"), ("/api/articles/", "article"), ("/api/pins/", "pin"),
                      ("/api/connections/", "connection"), ("/api/boards/", "board")]:
        listed = [str(item["id"]) for item in client.get(url).json()["results"]]
        assert len(listed) == 1 and listed != [str(theirs[name].pk)], url


@pytest.mark.parametrize(
    "query", ["project={project}", "board={board}", "article={article}"]
)
def test_filtering_by_another_tenants_ids_finds_nothing(client, theirs, query):
    url = "/api/pins/?" + query.format(**{name: obj.pk for name, obj in theirs.items()})
    assert client.get(url).json()["count"] == 0


def test_boards_filtered_by_another_tenants_connection_finds_nothing(client, theirs):
    assert client.get(f"/api/boards/?connection={theirs['connection'].pk}").json()["count"] == 0


@pytest.mark.parametrize(
    "url,body,field",
    [
        ("/api/pins/", lambda m, t: {"project": t["project"].pk, "article": t["article"].pk,
                                     "image_url": "https://e.example.com/i.png"}, "project"),
        ("/api/pins/", lambda m, t: {"project": m["project"].pk, "article": t["article"].pk,
                                     "image_url": "https://e.example.com/i.png"}, "article"),
        ("/api/pins/", lambda m, t: {"project": m["project"].pk, "article": m["article"].pk,
                                     "board": t["board"].pk, "image_url": "https://e.example.com/i.png"},
         "board"),
        ("/api/articles/", lambda m, t: {"project": t["project"].pk, "url": "https://e.example.com/"}, "project"),
        ("/api/projects/", lambda m, t: {"name": "X", "pinterest_connection": t["connection"].pk},
         "pinterest_connection"),
    ],
)
def test_creating_with_another_tenants_ids_is_refused_as_not_found(client, mine, theirs, url, body, field):
    before = snapshot()
    response = client.post(url, body(mine, theirs), format="json")
    assert response.status_code == 400
    assert "not found" in response.json()["error"]["fields"][field][0]
    assert snapshot() == before


def test_moving_your_pin_into_another_tenants_project_is_refused(client, mine, theirs):
    pin = make_pin(project=mine["project"], board=mine["board"], article=mine["article"], status=PinStatus.DRAFT)
    response = client.patch(f"/api/pins/{pin.pk}/", {"project": theirs["project"].pk}, format="json")
    assert response.status_code == 400
    assert Pin.objects.get(pk=pin.pk).project_id == mine["project"].pk
