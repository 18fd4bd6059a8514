"""A pin's text limits live in the content service: the API and the admin refuse longer text with
its message, naming the field, and the schema documents the same limits."""

import pytest
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator

from publishing.models import Pin, PinStatus
from publishing.services import content
from tests.factories import api_client, make_article, make_board, make_connection, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db

LIMITS = {"title": 500, "description": 10_000, "alt_text": 5_000}


def too_long(field):
    limit = LIMITS[field]
    return f"This text is {limit + 1} characters long; at most {limit} are accepted."


@pytest.fixture
def setup():
    connection = make_connection()
    project = make_project(tenant=connection.tenant, connection=connection)
    return project, make_board(connection=connection), make_article(project=project)


@pytest.fixture
def api(setup):
    return api_client(make_user(tenant=setup[0].tenant))


def create(setup, **text):
    project, board, article = setup
    return content.pin_create(
        tenant=project.tenant, project_id=project.pk, article_id=article.pk, board_id=board.pk,
        image_url="https://i.example.com/a.png", **text,
    )


def pin_json(setup, **text):
    project, board, article = setup
    return {"project": project.pk, "article": article.pk, "board": board.pk,
            "image_url": "https://i.example.com/a.png", **text}


def test_the_limits_are_the_services():
    assert content.PIN_TEXT_MAX == LIMITS


@pytest.mark.parametrize("field", LIMITS)
def test_pin_create_refuses_text_over_the_limit_naming_the_field(setup, field):
    assert create(setup, **{field: "x" * LIMITS[field]}).pk  # at the limit: accepted
    with pytest.raises(ValidationError) as refused:
        create(setup, **{field: "x" * (LIMITS[field] + 1)})
    assert refused.value.message_dict == {field: [too_long(field)]}
    assert Pin.objects.count() == 1


@pytest.mark.parametrize("field", LIMITS)
def test_pin_update_refuses_text_over_the_limit_and_keeps_the_pin(setup, field):
    project, board, article = setup
    pin = make_pin(project=project, board=board, article=article, status=PinStatus.DRAFT)
    with pytest.raises(ValidationError) as refused:
        content.pin_update(pin=pin, data={field: "x" * (LIMITS[field] + 1)})
    assert refused.value.message_dict == {field: [too_long(field)]}
    assert getattr(Pin.objects.get(pk=pin.pk), field) == getattr(pin, field)


@pytest.mark.parametrize("field", LIMITS)
def test_the_api_refuses_text_over_the_limit_with_the_services_message(api, setup, field):
    text = {field: "x" * (LIMITS[field] + 1)}
    for data, fmt in ((pin_json(setup, **text), "json"), (pin_json(setup, **text), "multipart")):
        response = api.post("/api/pins/", data, format=fmt)
        assert response.status_code == 400, response.content
        assert response.json()["error"]["fields"] == {field: [too_long(field)]}
    assert not Pin.objects.exists()

    pin = make_pin(project=setup[0], board=setup[1], article=setup[2], status=PinStatus.DRAFT)
    response = api.patch(f"/api/pins/{pin.pk}/", text, format="json")
    assert response.status_code == 400 and response.json()["error"]["fields"] == {field: [too_long(field)]}


def test_the_api_reports_every_text_over_its_limit_with_the_other_broken_rules(api, setup):
    data = pin_json(setup, **{field: "x" * (limit + 1) for field, limit in LIMITS.items()}, board=999999)
    fields = api.post("/api/pins/", data, format="json").json()["error"]["fields"]
    assert set(fields) == {"board", *LIMITS}


def test_the_schema_documents_the_services_limits():
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    for name in ("PinInputRequest", "PinJsonInputRequest", "PatchedPinInputRequest", "PatchedPinJsonInputRequest"):
        properties = schemas[name]["properties"]
        assert {field: properties[field]["maxLength"] for field in LIMITS} == LIMITS, name
        assert properties["title"]["description"].startswith("Pinterest shows at most 100 characters")


# --- The other lengths a person gives, at the service (the rule every way in shares) -----------


def test_a_project_name_over_its_column_is_refused_by_the_service_on_create_and_update(setup):
    project, _board, _article = setup
    message = ["This name is 201 characters long; at most 200 are accepted."]
    with pytest.raises(ValidationError) as refused:
        content.project_create(tenant=project.tenant, name="x" * 201)
    assert refused.value.message_dict == {"name": message}
    with pytest.raises(ValidationError) as refused:
        content.project_update(project=project, data={"name": "x" * 201})
    assert refused.value.message_dict == {"name": message}


def test_an_articles_url_and_title_over_their_columns_are_refused_by_the_service(setup):
    project, _board, article = setup
    long_url = "https://blog.example.com/" + "a" * 2048
    with pytest.raises(ValidationError) as refused:
        content.article_create(tenant=project.tenant, project_id=project.pk, url=long_url, title="t" * 501)
    assert refused.value.message_dict == {
        "url": [f"This URL is {len(long_url)} characters long; at most 2048 are accepted."],
        "title": ["This text is 501 characters long; at most 500 are accepted."],
    }
    with pytest.raises(ValidationError) as refused:
        content.article_update(article=article, data={"title": "t" * 501})
    assert list(refused.value.message_dict) == ["title"]


def test_a_pins_image_url_over_its_column_is_refused_by_the_service(setup):
    project, board, article = setup
    long_url = "https://i.example.com/" + "a" * 2048
    with pytest.raises(ValidationError) as refused:
        content.pin_create(tenant=project.tenant, project_id=project.pk, article_id=article.pk, board_id=board.pk,
                           image_url=long_url)
    assert refused.value.message_dict == {
        "image_url": [f"This URL is {len(long_url)} characters long; at most 2048 are accepted."]
    }
    assert not Pin.objects.exists()
