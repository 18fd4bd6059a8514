"""Errors Django raises outside DRF's own handling still answer in the API's JSON format.

A body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields or files, an unknown Host, an
unexpected exception: under /api/ each is the one error shape; other pages keep Django's.
"""

import json
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client, RequestFactory
from django.views.generic import RedirectView

from pinpublisher import api, urls
from publishing.api import ProjectsApi
from publishing.models import Pin
from tests.factories import (
    api_client,
    make_article,
    make_board,
    make_connection,
    make_project,
    make_user,
    png_bytes,
)
from tests.test_api_errors import assert_error

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def user():
    return make_user()


@pytest.fixture
def client(user):
    return api_client(user)


@pytest.fixture
def pin_form(user):
    """The fields of a valid multipart pin, without its image."""
    connection = make_connection(tenant=user.membership.tenant)
    project = make_project(tenant=user.membership.tenant, connection=connection)
    article = make_article(project=project)
    return {"project": project.pk, "article": article.pk, "board": make_board(connection=connection).pk,
            "title": "Lemon pasta"}


def post_json(client, url, data):
    return client.generic("POST", url, json.dumps(data), content_type="application/json")


def test_a_30_mb_json_body_is_413_request_too_large_naming_the_limit(client):
    response = post_json(client, "/api/projects/", {"name": "x" * (30 * MB)})
    error = assert_error(response, 413, "request_too_large", fields=[])
    assert "2.5 MB" in error["message"] and "multipart" in error["message"]


def test_a_json_body_just_over_the_limit_is_413_also_with_debug_on(client, settings):
    settings.DEBUG = True
    response = post_json(client, "/api/pins/", {"title": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    assert_error(response, 413, "request_too_large")


def test_a_json_body_under_the_limit_is_read(client):
    response = post_json(client, "/api/projects/", {"name": "x" * (2 * MB)})
    assert_error(response, 400, "validation_error", fields=["name"])  # too long for the field, but read


def test_a_multipart_text_field_over_the_limit_is_413(client, pin_form):
    response = client.post("/api/pins/", {**pin_form, "description": "x" * (3 * MB)}, format="multipart")
    assert_error(response, 413, "request_too_large")


def test_a_20_mb_image_upload_is_accepted(client, pin_form, settings):
    image = png_bytes()
    upload = SimpleUploadedFile("big.png", image + b"\0" * (20 * MB - len(image)), content_type="image/png")
    response = client.post("/api/pins/", {**pin_form, "image": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert Pin.objects.get(pk=response.json()["id"]).image.size == 20 * MB


def test_too_many_form_fields_is_400_too_many_fields(client, pin_form, settings):
    extra = {f"extra{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)}
    response = client.post("/api/pins/", {**pin_form, **extra}, format="multipart")
    error = assert_error(response, 400, "too_many_fields", fields=[])
    assert str(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS) in error["message"]


def test_too_many_query_parameters_is_400_too_many_fields(client, settings):
    query = "&".join(f"p{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert_error(client.get(f"/api/pins/?{query}"), 400, "too_many_fields")


def test_too_many_files_is_400_too_many_files(client, pin_form, settings):
    files = {f"file{i}": SimpleUploadedFile(f"{i}.png", b"x") for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)}
    response = client.post("/api/pins/", {**pin_form, **files}, format="multipart")
    error = assert_error(response, 400, "too_many_files", fields=[])
    assert str(settings.DATA_UPLOAD_MAX_NUMBER_FILES) in error["message"]


def test_malformed_multipart_is_400_parse_error(client):
    response = client.generic("POST", "/api/pins/", b"--x\r\nbroken", content_type="multipart/form-data")
    assert_error(response, 400, "parse_error", fields=[])


def test_an_unexpected_exception_is_500_server_error_without_a_traceback(user, monkeypatch, caplog):
    def crash(self, request):
        raise ZeroDivisionError("secret detail")

    monkeypatch.setattr(ProjectsApi, "get", crash)
    client = api_client(user)
    client.raise_request_exception = False
    response = client.get("/api/projects/")
    error = assert_error(response, 500, "server_error", fields=[])
    assert "secret detail" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert "logged" in error["message"]
    # Django still logs it, with the traceback, for the operator.
    [record] = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert record.exc_info[0] is ZeroDivisionError


def test_an_unknown_host_is_400_bad_request():
    response = Client().get("/api/projects/", HTTP_HOST="evil.example.com")
    error = assert_error(response, 400, "bad_request", fields=[])
    assert "evil" not in error["message"]


def test_pages_outside_the_api_keep_djangos_html_errors(monkeypatch):
    client = Client(raise_request_exception=False)
    too_big = client.post("/admin/login/", {"username": "x" * (3 * MB)})
    assert too_big.status_code == 400 and too_big["Content-Type"].startswith("text/html")

    def crash(self, *args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(RedirectView, "get_redirect_url", crash)
    crashed = client.get("/")
    assert crashed.status_code == 500 and crashed["Content-Type"].startswith("text/html")
    assert client.get("/nothing-here/")["Content-Type"].startswith("text/html")


def test_djangos_403_and_404_handlers_answer_json_under_the_api():
    # Nothing under /api/ raises them outside DRF today; the handlers keep it so if something does.
    assert urls.handler403 == "pinpublisher.api.permission_denied"
    assert urls.handler404 == "pinpublisher.api.page_not_found"
    request = RequestFactory().get("/api/projects/")
    for response, status, code in [
        (api.permission_denied(request, PermissionDenied()), 403, "permission_denied"),
        (api.page_not_found(request, Http404()), 404, "not_found"),
    ]:
        assert (response.status_code, json.loads(response.content)["error"]["code"]) == (status, code)
    page = api.page_not_found(RequestFactory().get("/elsewhere/"), Http404())
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
