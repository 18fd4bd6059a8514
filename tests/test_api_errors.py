"""The one error format of the REST API, for every kind of error."""

import pytest
from rest_framework.test import APIClient

from publishing.models import PinStatus
from tests.factories import api_client, make_article, make_pin, make_project, make_user

pytestmark = pytest.mark.django_db



@pytest.fixture
def user():
    return make_user()


@pytest.fixture
def client(user):
    return api_client(user)


def assert_error(response, status, code, fields=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    if fields is not None:
        assert sorted(body["error"]["fields"]) == sorted(fields)
    return body["error"]


def test_validation_error_is_400_naming_each_field(client):
    error = assert_error(
        client.post("/api/projects/", {"pinterest_connection": "x"}, format="json"),
        400,
        "validation_error",
        fields=["name", "pinterest_connection"],
    )
    assert error["fields"]["name"] == ["This field is required."]
    assert error["message"] == "Invalid input in: name, pinterest_connection."


def test_validation_error_with_one_field_names_it_in_the_message(client):
    error = assert_error(client.post("/api/projects/", {}, format="json"), 400, "validation_error")
    assert error["message"] == "name: This field is required."


def test_malformed_json_is_400_parse_error_with_empty_fields(client):
    response = client.generic("POST", "/api/projects/", "{not json", content_type="application/json")
    assert assert_error(response, 400, "parse_error")["fields"] == {}


def test_bad_query_parameter_is_400_naming_the_parameter(client):
    error = assert_error(client.get("/api/pins/?status=lost"), 400, "validation_error", ["status"])
    assert "lost" in error["fields"]["status"][0]


def test_no_credentials_is_401_not_authenticated():
    response = APIClient().get("/api/pins/")
    assert_error(response, 401, "not_authenticated", fields=[])
    assert response["WWW-Authenticate"] == "Token"


def test_wrong_token_is_401_authentication_failed():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get("/api/projects/"), 401, "authentication_failed")


def test_user_without_tenant_gets_403_no_tenant_on_every_endpoint(django_user_model):
    loner = django_user_model.objects.create_user(username="loner", password="pw-for-tests-only")
    client = APIClient()
    client.force_authenticate(loner)
    for url in ("/api/projects/", "/api/articles/1/", "/api/pins/", "/api/connections/", "/api/boards/1/"):
        assert_error(client.get(url), 403, "no_tenant")
    assert_error(client.post("/api/projects/", {"name": "x"}, format="json"), 403, "no_tenant")


def test_unknown_object_is_404_naming_it(client):
    error = assert_error(client.get("/api/projects/999999/"), 404, "not_found", fields=[])
    assert error["message"] == "Project 999999 not found."
    pin_id = "00000000-0000-4000-8000-000000000000"
    assert_error(client.get(f"/api/pins/{pin_id}/"), 404, "not_found")


def test_page_past_the_end_is_404(client):
    assert_error(client.get("/api/projects/?page=9"), 404, "not_found")


def test_unknown_api_url_is_404_json_even_without_credentials():
    for url in ("/api/nothing-here/", "/api/pins/not-a-uuid/", "/api/"):
        error = assert_error(APIClient().get(url), 404, "not_found", fields=[])
        assert url in error["message"]
    assert_error(APIClient().post("/api/nothing-here/"), 404, "not_found")


def test_api_url_without_trailing_slash_is_404_with_a_hint(client):
    error = assert_error(client.get("/api/pins"), 404, "not_found")
    assert "/api/pins/" in error["message"]


def test_schema_and_docs_are_not_swallowed_by_the_api_404():
    assert APIClient().get("/api/schema/").status_code == 200
    assert APIClient().get("/api/docs/").status_code == 200


def test_unsupported_method_is_405(client):
    response = client.delete("/api/projects/")
    error = assert_error(response, 405, "method_not_allowed", fields=[])
    assert "DELETE" in error["message"]
    assert "GET" in response["Allow"]


def test_conflict_is_409_with_the_reason(client, user):
    pin = make_pin(project=make_project(tenant=user.membership.tenant), status=PinStatus.PUBLISHED)
    error = assert_error(client.patch(f"/api/pins/{pin.pk}/", {"title": "x"}, format="json"), 409,
                         "pin_not_editable", fields=[])
    assert "published" in error["message"]


def test_article_with_pins_delete_is_409_article_has_pins(client, user):
    article = make_article(project=make_project(tenant=user.membership.tenant))
    make_pin(project=article.project, article=article)
    error = assert_error(client.delete(f"/api/articles/{article.pk}/"), 409, "article_has_pins")
    assert "1 pin" in error["message"]


def test_unsupported_content_type_is_415(client):
    response = client.generic("POST", "/api/projects/", "name=x", content_type="text/plain")
    error = assert_error(response, 415, "unsupported_media_type", fields=[])
    assert "text/plain" in error["message"]


@pytest.mark.parametrize("format_", ["multipart", "form"])
def test_form_and_multipart_bodies_are_read_like_json(client, format_):
    if format_ == "form":
        response = client.generic("POST", "/api/projects/", "name=From+curl+-d",
                                  content_type="application/x-www-form-urlencoded")
    else:
        response = client.post("/api/projects/", {"name": "From curl -d"}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "From curl -d"


def test_throttled_is_429_with_retry_after(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "2/minute"}}
    assert client.get("/api/projects/").status_code == 200
    assert client.get("/api/projects/").status_code == 200
    response = client.get("/api/projects/")
    assert_error(response, 429, "throttled", fields=[])
    assert int(response["Retry-After"]) > 0


def test_a_domain_error_is_presented_with_its_status_code_and_field():
    from pinpublisher.api import exception_handler
    from pinpublisher.errors import InvalidRequest

    class NotReady(InvalidRequest):
        code = "pin_not_ready"

    response = exception_handler(NotReady("Pin must have an image", field="image"), {})
    assert response.status_code == 400
    assert response.data == {"error": {"code": "pin_not_ready", "message": "Pin must have an image",
                                       "fields": {"image": ["Pin must have an image"]}}}
    assert exception_handler(NotReady("No."), {}).data["error"]["fields"] == {}


def test_an_unexpected_exception_is_left_to_django_as_a_500():
    from pinpublisher.api import exception_handler

    assert exception_handler(ZeroDivisionError(), {}) is None


def test_pinterest_not_configured_is_a_503_naming_what_is_missing_and_logged_for_the_operator(caplog):
    from pinpublisher.api import exception_handler
    from pinterest.errors import PinterestConfigurationError

    with caplog.at_level("ERROR", logger="pinpublisher.api.exception_handlers"):
        response = exception_handler(PinterestConfigurationError("PINTEREST_APP_ID is not set."), {})
    assert response.status_code == 503
    assert response.data == {"error": {"code": "pinterest_not_configured",
                                       "message": "PINTEREST_APP_ID is not set.", "fields": {}}}
    assert "PINTEREST_APP_ID is not set." in caplog.text
