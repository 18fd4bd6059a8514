"""The OpenAPI contract: it generates without warnings, validates, and documents every error."""

import re

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient


@pytest.fixture(scope="module")
def schema():
    GENERATOR_STATS.reset()
    generated = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular warned or erred (run `manage.py spectacular --fail-on-warn`)"
    return generated


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_schema_validates_against_openapi_3(schema):
    validate_schema(schema)


def test_schema_lists_every_endpoint(schema):
    assert {(p, m) for p, m, _ in operations(schema)} >= {
        ("/api/projects/", "get"), ("/api/projects/", "post"),
        ("/api/projects/{project_id}/", "get"), ("/api/projects/{project_id}/", "put"),
        ("/api/projects/{project_id}/", "patch"), ("/api/projects/{project_id}/", "delete"),
        ("/api/articles/", "get"), ("/api/articles/", "post"),
        ("/api/articles/{article_id}/", "get"), ("/api/articles/{article_id}/", "put"),
        ("/api/articles/{article_id}/", "patch"), ("/api/articles/{article_id}/", "delete"),
        ("/api/pins/", "get"), ("/api/pins/", "post"),
        ("/api/pins/{pin_id}/", "get"), ("/api/pins/{pin_id}/", "put"),
        ("/api/pins/{pin_id}/", "patch"), ("/api/pins/{pin_id}/", "delete"),
        ("/api/pins/{pin_id}/schedule/", "post"), ("/api/pins/{pin_id}/unschedule/", "post"),
        ("/api/connections/", "get"), ("/api/connections/{connection_id}/", "get"),
        ("/api/boards/", "get"), ("/api/boards/{board_id}/", "get"),
        ("/api/projects/{project_id}/analytics/", "get"), ("/api/pins/{pin_id}/analytics/", "get"),
        ("/api/connections/{connection_id}/sync-analytics/", "post"),
    }


def test_every_operation_documents_its_errors_with_the_error_schema(schema):
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in operations(schema):
        if not path.startswith("/api/") or path in ("/api/schema/", "/api/docs/"):
            continue
        responses = operation["responses"]
        expected = {"401", "403", "429"}
        if "{" in path or method == "get":
            expected.add("404")
        if method in ("post", "put", "patch") and "requestBody" in operation:
            expected |= {"400", "415"}
        assert expected <= set(responses), (method, path, sorted(responses))
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == error_ref, (method, path, status)


def test_pin_creation_documents_multipart_upload_and_json(schema):
    content = schema["paths"]["/api/pins/"]["post"]["requestBody"]["content"]
    assert content["multipart/form-data"]["schema"] == {"$ref": "#/components/schemas/PinInputRequest"}
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/PinJsonInputRequest"}


def test_no_schema_component_mentions_a_token_field(schema):
    for name, component in schema["components"]["schemas"].items():
        assert not {"access_token", "refresh_token"} & set(component.get("properties", {})), name


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn():
    client = APIClient()
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200 and response.json()["openapi"].startswith("3.")
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "/static/drf_spectacular_sidecar/" in html
    # Nothing loaded from another host (the page also holds a random token, which may spell "cdn").
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, flags=re.IGNORECASE)
    assert not re.findall(r"https?://[^\s\"']*(?:cdn|unpkg|jsdelivr)", html, flags=re.IGNORECASE)


def test_publish_now_documents_its_202_hand_off_with_the_batch_and_when_the_pin_is_expected(schema):
    responses = schema["paths"]["/api/pins/{pin_id}/publish/"]["post"]["responses"]
    assert {"200", "202", "400", "404", "409"} <= set(responses)
    # 202 is the hand-off or, for an editor in a project whose pins need approval, the pin in review.
    ref = responses["202"]["content"]["application/json"]["schema"]["$ref"]
    refs = [one["$ref"] for one in schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["oneOf"]]
    assert sorted(ref.rsplit("/", 1)[-1] for ref in refs) == ["PublishHandedOff", "PublishInReview"]
    accepted = schema["components"]["schemas"]["PublishHandedOff"]
    fields = {"batch_id", "total", "status_url", "expected_at", "message"}
    assert fields <= set(accepted["properties"]) and fields <= set(accepted["required"])
    assert accepted["properties"]["expected_at"]["format"] == "date-time"
    assert "PUBLISH_NOW_MAX_WAIT_SECONDS" in schema["paths"]["/api/pins/{pin_id}/publish/"]["post"]["description"]
