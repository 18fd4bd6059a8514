"""What a request body may be (pinpublisher.parsers and TenantApi): JSON nested beyond
``MAX_JSON_DEPTH`` and multipart cut short before its closing boundary are a 400 ``parse_error``
naming the problem at every write endpoint, with DEBUG on as off; a JSON value that is not an
object where an endpoint takes no input is a 400, never taken as nothing."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from pinpublisher.api import TenantApi
from pinpublisher.api.parsers import MAX_JSON_DEPTH, json_depth
from publishing.models import BlogArticle, Pin, PinStatus
from tests.factories import make_article, make_board, make_connection, make_pin, make_project, png_bytes

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _url(route):
    """A URL of ``route`` with made-up ids (the body is judged before any id is looked up)."""
    def value(match):
        return str(uuid.UUID(int=1)) if match.group(1) == "uuid" else "1"
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", value, route).lstrip("^").rstrip("$")


def json_write_endpoints():
    """(method, url) of every write an /api/ endpoint of the URLconf takes a JSON body for."""
    found = []
    for route, callback in _routes(get_resolver().url_patterns):
        view = getattr(callback, "cls", None)
        if not route.startswith("api/") or view is None or not issubclass(view, TenantApi):
            continue
        if not any(parser.media_type == "application/json" for parser in view.parser_classes):
            continue
        found.extend((method, _url(route)) for method in WRITE_METHODS if hasattr(view, method))
    return found


ENDPOINTS = json_write_endpoints()


def test_the_urlconf_has_every_json_write_endpoint_the_loop_below_covers():
    assert len(ENDPOINTS) >= 16, ENDPOINTS


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("method,url", ENDPOINTS)
def test_json_nested_100000_deep_is_a_400_naming_the_depth_at_every_write_endpoint(
    tenant_api, settings, debug, method, url
):
    settings.DEBUG = debug
    body = "[" * 100_000 + "]" * 100_000
    response = tenant_api.generic(method.upper(), url, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"] == {
        "code": "parse_error",
        "message": f"JSON parse error - arrays and objects are nested 100000 levels deep; at most "
                   f"{MAX_JSON_DEPTH} are accepted",
        "fields": {},
    }


def test_json_within_the_depth_is_read_and_brackets_inside_strings_do_not_count(tenant_api):
    nested = "[" * (MAX_JSON_DEPTH - 1) + "1" + "]" * (MAX_JSON_DEPTH - 1)
    text = "[" * 40 + ' \\" ' + "{" * 40  # brackets and an escaped quote inside a string
    body = '{"name": "' + text + '", "x": ' + nested + "}"
    assert json_depth(body) == MAX_JSON_DEPTH
    response = tenant_api.generic("POST", "/api/projects/", body, content_type="application/json")
    # Parsed: the serializer speaks (an unknown field x), not the parser.
    assert response.json()["error"]["code"] == "validation_error", response.content
    assert "x" in response.json()["error"]["fields"]


def test_a_carousel_sent_as_deeply_nested_json_in_multipart_is_a_400_naming_carousel(tenant_api, tenant):
    project = make_project(tenant=tenant)
    article = make_article(project=project)
    data = {"project": project.pk, "article": article.pk, "carousel": "[" * 100_000 + "]" * 100_000}
    response = tenant_api.post("/api/pins/", data, format="multipart")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["fields"]["carousel"] == [
        f"Expected a JSON list of items: arrays and objects are nested 100000 levels deep; at most "
        f"{MAX_JSON_DEPTH} are accepted."
    ]


# --- Multipart ---------------------------------------------------------------------------------


@pytest.fixture
def world(tenant):
    connection = make_connection(tenant=tenant)
    board = make_board(connection=connection, name="Recipes")
    project = make_project(tenant=tenant, connection=connection)
    return project, board, make_article(project=project)


def multipart_pin(project, article):
    return (b'--B\r\nContent-Disposition: form-data; name="project"\r\n\r\n%d\r\n' % project.pk
            + b'--B\r\nContent-Disposition: form-data; name="article"\r\n\r\n%d\r\n' % article.pk
            + b'--B\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
            + b"Content-Type: image/png\r\n\r\n" + png_bytes() + b"\r\n--B--\r\n")


@pytest.mark.parametrize("cut", [len(b"\r\n--B--\r\n"), len(b"--\r\n"), len(b"B--\r\n"), 300])
def test_a_multipart_body_without_its_closing_boundary_is_a_400_and_nothing_is_created(tenant_api, world, cut):
    project, _board, article = world
    body = multipart_pin(project, article)[:-cut]
    response = tenant_api.generic("POST", "/api/pins/", body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "parse_error"
    assert response.json()["error"]["message"] == (
        "Multipart form parse error - the body ends before its closing boundary (--B--): it was cut short; "
        "send the whole request again."
    )
    assert not Pin.objects.exists()


def test_a_whole_multipart_body_is_taken_with_or_without_a_last_line_break(tenant_api, world):
    project, _board, article = world
    for body in (multipart_pin(project, article), multipart_pin(project, article).removesuffix(b"\r\n")):
        response = tenant_api.generic("POST", "/api/pins/", body, content_type="multipart/form-data; boundary=B")
        assert response.status_code == 201, response.content[:300]
    assert Pin.objects.count() == 2


def test_a_csv_upload_cut_short_is_a_400_in_both_modes_and_imports_nothing(tenant_api, world):
    project, *_ = world
    csv = b"Media URL,Pinterest board,Link\r\nhttps://img.example.com/a.jpg,Recipes,https://blog.example.com/a\r\n"
    for dry_run in (b"true", b"false"):
        body = (b'--B\r\nContent-Disposition: form-data; name="dry_run"\r\n\r\n' + dry_run + b"\r\n"
                + b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
                + b"Content-Type: text/csv\r\n\r\n" + csv)
        response = tenant_api.generic("POST", f"/api/projects/{project.pk}/import/", body,
                                      content_type="multipart/form-data; boundary=B")
        assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"
    assert not BlogArticle.objects.filter(url="https://blog.example.com/a").exists()


# --- A body where none is taken ----------------------------------------------------------------


@pytest.mark.parametrize("body", ["null", "[]", "[1]", "0", '""'])
def test_a_json_value_that_is_not_an_object_where_the_endpoint_takes_no_input_is_a_400(tenant_api, world, body):
    project, board, article = world
    pin = make_pin(project=project, board=board, article=article, status=PinStatus.READY_TO_SCHEDULE)
    response = tenant_api.generic("POST", f"/api/pins/{pin.pk}/unschedule/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {
        "non_field_errors": [f"This endpoint takes no input: send no body, not JSON {body}."]
    }
    pin.refresh_from_db()
    assert pin.status == PinStatus.READY_TO_SCHEDULE


def test_no_body_or_an_empty_object_where_the_endpoint_takes_no_input_is_taken(tenant_api, world):
    project, board, article = world
    pin = make_pin(project=project, board=board, article=article, status=PinStatus.READY_TO_SCHEDULE)
    assert tenant_api.post(f"/api/pins/{pin.pk}/unschedule/").status_code == 200
    response = tenant_api.generic("POST", f"/api/pins/{pin.pk}/unschedule/", "{}", content_type="application/json")
    assert response.status_code == 200
