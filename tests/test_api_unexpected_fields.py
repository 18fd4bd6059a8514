"""No write endpoint drops what it was sent: a field it does not take is a 400 naming it, and
nothing changes (``pinpublisher.api.parse``, ``no_input``). Every write route of the scope table
is tried, so a new endpoint is covered the day it is added."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.apikeys import test_scopes as scopes
from tests.apikeys.test_scopes import ROUTES, call, fill, snapshot
from tests.factories import api_client

world = scopes.world  # the scope table's objects (a fixture)

pytestmark = pytest.mark.django_db

WRITES = [(method, url, body) for method, url, _, body in ROUTES if method != "get"]


@pytest.mark.parametrize("method,url,body", WRITES, ids=[f"{m.upper()} {u}" for m, u, _ in WRITES])
def test_every_write_endpoint_refuses_an_unknown_field_by_name_and_changes_nothing(world, method, url, body):
    ids = world["ids"]
    client = api_client(world["owner"])
    before = snapshot()
    data = {**fill(body or {}, ids), "surprise_field": 1}
    if url.endswith("/import/"):  # a CSV upload: multipart only
        data["file"] = SimpleUploadedFile("pins.csv", b"Title,Media URL,Pinterest board,Link\n")
        response = client.post(fill(url, ids), data, format="multipart")
    else:
        response = call(client, method, fill(url, ids), data)
    if response.status_code == 404 and "{missing}" in url:
        return  # the object is looked up first; the table's webhook routes name no existing one
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    assert "surprise_field is not a field of this endpoint" in fields["surprise_field"][0]
    assert snapshot() == before


def test_a_read_only_field_of_a_project_is_named_as_read_only(world):
    response = api_client(world["owner"]).post("/api/projects/", {"name": "P", "id": 5}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"id": ["id is read-only."]}


def test_a_webhook_secret_is_read_only_with_what_to_do_instead(world):
    response = api_client(world["owner"]).post(
        "/api/webhooks/", {"url": "https://hooks.example.com/in", "secret": "mine"}, format="json"
    )
    assert response.json()["error"]["fields"] == {"secret": ["secret is read-only: use /rotate-secret/."]}
