"""The pins API: create, validation rules, update/delete guards, schedule and unschedule."""

import io
import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from publishing.models import Pin, PinStatus
from publishing.services import content
from tests.factories import (
    image_upload,
    make_article,
    make_board,
    make_connection,
    make_pin,
    make_project,
)

pytestmark = pytest.mark.django_db



@pytest.fixture
def setup(tenant):
    """A project with a connection, a board of it and an article."""
    connection = make_connection(tenant=tenant)
    board = make_board(connection=connection)
    project = make_project(tenant=tenant, connection=connection)
    article = make_article(project=project)
    return project, board, article


def pin_json(setup, **overrides):
    project, board, article = setup
    data = {
        "project": project.pk,
        "article": article.pk,
        "board": board.pk,
        "title": "A title",
        "description": "A description",
        "alt_text": "Alt",
        "image_url": "https://images.example.com/a.png",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def field_errors(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def image_file(fmt="PNG", size=(200, 200), name="pin.png", content_type="image/png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


# --- Create ----------------------------------------------------------------------------------


def test_create_with_image_url_makes_a_draft_pin(tenant_api, setup):
    response = tenant_api.post("/api/pins/", pin_json(setup), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    pin = Pin.objects.get(pk=body["id"])
    assert pin.status == PinStatus.DRAFT and pin.image_url == "https://images.example.com/a.png"
    assert body["status"] == "draft" and body["image"] is None and body["warnings"] == []
    assert body["pinterest_pin_id"] is None and body["scheduled_at"] is None


def test_create_with_uploaded_image_stores_it(tenant_api, setup):
    data = pin_json(setup, image_url=None, board=None)
    response = tenant_api.post("/api/pins/", {**data, "image": image_upload()}, format="multipart")
    assert response.status_code == 201, response.content
    pin = Pin.objects.get(pk=response.json()["id"])
    assert pin.image.name.startswith("pins/") and pin.image.name.endswith(".png")
    assert response.json()["image"].startswith("http://testserver/media/pins/")


@pytest.mark.parametrize(
    "fmt,content_type",
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"), ("GIF", "image/gif")],
)
def test_create_accepts_jpeg_png_webp_and_gif(tenant_api, setup, fmt, content_type):
    upload = image_file(fmt=fmt, name="pin.img", content_type=content_type)
    response = tenant_api.post("/api/pins/", {**pin_json(setup, image_url=None), "image": upload},
                           format="multipart")
    assert response.status_code == 201, response.content


def test_create_refuses_other_image_formats(tenant_api, setup):
    upload = image_file(fmt="BMP", name="pin.bmp", content_type="image/bmp")
    response = tenant_api.post("/api/pins/", {**pin_json(setup, image_url=None), "image": upload},
                           format="multipart")
    assert "BMP images are not accepted" in field_errors(response)["image"][0]
    assert not Pin.objects.exists()


def test_create_refuses_a_file_that_is_not_an_image(tenant_api, setup):
    upload = SimpleUploadedFile("pin.png", b"not an image at all", content_type="image/png")
    response = tenant_api.post("/api/pins/", {**pin_json(setup, image_url=None), "image": upload},
                           format="multipart")
    assert "not an image" in field_errors(response)["image"][0]


def test_create_refuses_an_image_smaller_than_100_px(tenant_api, setup):
    upload = image_file(size=(99, 300))
    response = tenant_api.post("/api/pins/", {**pin_json(setup, image_url=None), "image": upload},
                           format="multipart")
    assert "99x300 px" in field_errors(response)["image"][0]


def test_create_refuses_an_image_over_20_mb(tenant_api, setup):
    upload = SimpleUploadedFile("big.png", image_file().read() + b"\0" * (20 * 1024 * 1024),
                                content_type="image/png")
    response = tenant_api.post("/api/pins/", {**pin_json(setup, image_url=None), "image": upload},
                           format="multipart")
    assert "at most 20 MB" in field_errors(response)["image"][0]


def test_create_needs_an_image_or_an_image_url(tenant_api, setup):
    response = tenant_api.post("/api/pins/", pin_json(setup, image_url=None), format="json")
    assert field_errors(response)["image"] == [
        "Pin must have an image: upload one, give image_url, a carousel of images or a video."
    ]


def test_create_refuses_both_image_and_image_url(tenant_api, setup):
    response = tenant_api.post("/api/pins/", {**pin_json(setup), "image": image_upload()}, format="multipart")
    assert field_errors(response)["image"] == ["Give either image or image_url, not both."]


def test_create_refuses_a_plain_http_image_url(tenant_api, setup):
    response = tenant_api.post("/api/pins/", pin_json(setup, image_url="http://images.example.com/a.png"),
                           format="json")
    assert field_errors(response)["image_url"] == ["Must be an https URL."]


def test_create_refuses_another_tenants_project(tenant_api, setup):
    foreign = make_project()
    response = tenant_api.post("/api/pins/", pin_json(setup, project=foreign.pk), format="json")
    assert field_errors(response)["project"] == [f"Project {foreign.pk} not found."]


def test_create_refuses_an_article_of_another_project(tenant_api, setup, tenant):
    other_article = make_article(project=make_project(tenant=tenant))
    response = tenant_api.post("/api/pins/", pin_json(setup, article=other_article.pk), format="json")
    assert "is not an article of project" in field_errors(response)["article"][0]


def test_create_refuses_another_tenants_board(tenant_api, setup):
    foreign_board = make_board()
    response = tenant_api.post("/api/pins/", pin_json(setup, board=foreign_board.pk), format="json")
    assert field_errors(response)["board"] == [
        f"Board {foreign_board.pk} not found among the boards of your Pinterest accounts."
    ]


def test_create_refuses_an_archived_board(tenant_api, setup):
    board = setup[1]
    board.is_archived = True
    board.save()
    response = tenant_api.post("/api/pins/", pin_json(setup), format="json")
    assert "is archived" in field_errors(response)["board"][0]


def test_create_refuses_a_board_of_another_account_than_the_projects(tenant_api, setup, tenant):
    other_board = make_board(connection=make_connection(tenant=tenant))
    response = tenant_api.post("/api/pins/", pin_json(setup, board=other_board.pk), format="json")
    assert "publishes with" in field_errors(response)["board"][0]


def test_create_reports_every_broken_rule_at_once(tenant_api, setup):
    response = tenant_api.post(
        "/api/pins/", pin_json(setup, project=999999, board=999999, image_url="ftp://x.example/a"),
        format="json",
    )
    assert set(field_errors(response)) >= {"project", "board"}


def test_create_accepts_text_longer_than_pinterest_allows_with_warnings(tenant_api, setup):
    response = tenant_api.post(
        "/api/pins/",
        pin_json(setup, title="T" * 101, description="D" * 801, alt_text="A" * 501),
        format="json",
    )
    assert response.status_code == 201
    warnings = response.json()["warnings"]
    assert [w["field"] for w in warnings] == ["title", "description", "alt_text"]
    assert "Pinterest allows 100" in warnings[0]["message"]
    assert Pin.objects.get().title == "T" * 101


def test_create_with_a_read_only_status_is_a_400_naming_it_and_creates_nothing(tenant_api, setup):
    data = {**pin_json(setup), "status": "published", "scheduled_at": "2030-01-01T00:00:00Z"}
    response = tenant_api.post("/api/pins/", data, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"status": ["status is read-only: use /publish/ or /schedule/ "
                                                             "(or scheduled_at here)."]}
    assert not Pin.objects.exists()


# --- Update and delete -----------------------------------------------------------------------


@pytest.fixture
def pin(setup):
    project, board, article = setup
    return make_pin(project=project, board=board, article=article, status=PinStatus.DRAFT)


@pytest.mark.parametrize("status", [PinStatus.DRAFT, PinStatus.READY_TO_SCHEDULE, PinStatus.ERROR])
def test_update_works_while_draft_ready_or_error(tenant_api, pin, status):
    Pin.objects.filter(pk=pin.pk).update(status=status)
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"title": "New"}, format="json")
    assert response.status_code == 200, response.content
    assert Pin.objects.get(pk=pin.pk).title == "New"
    assert response.json()["status"] == status


@pytest.mark.parametrize("status", [PinStatus.PUBLISHING, PinStatus.PUBLISHED])
def test_update_of_a_publishing_or_published_pin_is_409(tenant_api, pin, status):
    Pin.objects.filter(pk=pin.pk).update(status=status)
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"title": "New"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "pin_not_editable"
    assert Pin.objects.get(pk=pin.pk).title == pin.title


def test_update_loses_to_a_publisher_that_claimed_the_pin_meanwhile(pin):
    stale = Pin.objects.select_related("project__tenant").get(pk=pin.pk)
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHING)  # the publisher's claim
    with pytest.raises(content.PinNotEditable):
        content.pin_update(pin=stale, data={"title": "Overwrite?"})
    fresh = Pin.objects.get(pk=pin.pk)
    assert fresh.status == PinStatus.PUBLISHING and fresh.title == pin.title


def test_update_with_a_new_upload_replaces_the_image_url(tenant_api, setup):
    project, board, article = setup
    pin = make_pin(project=project, board=board, article=article, with_image=False,
                   image_url="https://images.example.com/old.png", status=PinStatus.DRAFT)
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"image": image_upload()}, format="multipart")
    assert response.status_code == 200, response.content
    pin.refresh_from_db()
    assert pin.image and pin.image_url == ""


def test_update_with_an_image_url_replaces_the_upload(tenant_api, pin):
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"image_url": "https://i.example.com/n.png"},
                            format="json")
    assert response.status_code == 200
    pin.refresh_from_db()
    assert not pin.image and pin.image_url == "https://i.example.com/n.png"


def test_update_cannot_leave_a_pin_without_image(tenant_api, setup):
    project, board, article = setup
    pin = make_pin(project=project, board=board, article=article, with_image=False,
                   image_url="https://images.example.com/old.png", status=PinStatus.DRAFT)
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"image_url": ""}, format="json")
    assert "Pin must have an image" in field_errors(response)["image_url"][0]


def test_update_refuses_an_article_of_another_project(tenant_api, pin, tenant):
    other = make_article(project=make_project(tenant=tenant))
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"article": other.pk}, format="json")
    assert "is not an article of project" in field_errors(response)["article"][0]


def test_update_can_unassign_the_board(tenant_api, pin):
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"board": None}, format="json")
    assert response.status_code == 200 and response.json()["board"] is None


def test_put_replaces_every_editable_field(tenant_api, pin, setup):
    project, board, article = setup
    data = {"project": project.pk, "article": article.pk, "title": "Only title"}
    response = tenant_api.put(f"/api/pins/{pin.pk}/", data, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["description"], body["board"]) == ("Only title", "", None)
    assert body["image"]  # the upload stays: it was not replaced


@pytest.mark.parametrize(
    "status", [PinStatus.DRAFT, PinStatus.READY_TO_SCHEDULE, PinStatus.ERROR, PinStatus.PUBLISHED]
)
def test_delete_works_unless_publishing(tenant_api, pin, status):
    Pin.objects.filter(pk=pin.pk).update(status=status)
    assert tenant_api.delete(f"/api/pins/{pin.pk}/").status_code == 204
    assert not Pin.objects.filter(pk=pin.pk).exists()


def test_delete_while_publishing_is_409(tenant_api, pin):
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHING)
    response = tenant_api.delete(f"/api/pins/{pin.pk}/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "pin_not_deletable"
    assert Pin.objects.filter(pk=pin.pk).exists()


# --- Schedule and unschedule -----------------------------------------------------------------


def test_schedule_sets_the_time_and_marks_the_pin_ready(tenant_api, pin):
    response = tenant_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": "2030-05-01T09:00:00+02:00"},
                           format="json")
    assert response.status_code == 200, response.content
    pin.refresh_from_db()
    assert pin.status == PinStatus.READY_TO_SCHEDULE
    assert pin.scheduled_at.isoformat() == "2030-05-01T07:00:00+00:00"
    assert response.json()["scheduled_at"] == "2030-05-01T07:00:00Z"


def test_schedule_refuses_a_naive_datetime_with_a_message(tenant_api, pin):
    response = tenant_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": "2030-05-01T09:00:00"},
                           format="json")
    assert "timezone-aware" in field_errors(response)["scheduled_at"][0]
    pin.refresh_from_db()
    assert pin.status == PinStatus.DRAFT and pin.scheduled_at is None


def test_schedule_refuses_a_malformed_datetime(tenant_api, pin):
    response = tenant_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": "tomorrow"}, format="json")
    assert "wrong format" in field_errors(response)["scheduled_at"][0]


def test_schedule_refuses_a_time_in_the_past(tenant_api, pin):
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = tenant_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": past}, format="json")
    assert "in the past" in field_errors(response)["scheduled_at"][0]


def test_schedule_needs_a_board(tenant_api, setup):
    project, _, article = setup
    pin = make_pin(project=project, article=article, board=None, status=PinStatus.DRAFT)
    response = tenant_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": "2030-05-01T09:00:00Z"},
                           format="json")
    assert field_errors(response)["board"] == ["Pin must have a Pinterest board assigned"]


def test_schedule_of_an_error_pin_clears_its_error(tenant_api, pin):
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.ERROR, error_message="old failure")
    response = tenant_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": "2030-05-01T09:00:00Z"},
                           format="json")
    assert response.status_code == 200
    assert response.json()["error_message"] == ""


@pytest.mark.parametrize("status", [PinStatus.PUBLISHING, PinStatus.PUBLISHED])
def test_schedule_of_a_publishing_or_published_pin_is_409(tenant_api, pin, status):
    Pin.objects.filter(pk=pin.pk).update(status=status)
    response = tenant_api.post(f"/api/pins/{pin.pk}/schedule/", {"scheduled_at": "2030-05-01T09:00:00Z"},
                           format="json")
    assert response.status_code == 409
    assert Pin.objects.get(pk=pin.pk).status == status


def test_schedule_loses_to_a_publisher_that_claimed_the_pin_meanwhile(pin):
    stale = Pin.objects.select_related("project", "board").get(pk=pin.pk)
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHING)
    with pytest.raises(content.PinNotEditable, match="being published"):
        content.pin_schedule(pin=stale, scheduled_at=timezone.now() + timedelta(days=1))
    assert Pin.objects.get(pk=pin.pk).scheduled_at is None


def test_unschedule_puts_the_pin_back_to_draft(tenant_api, pin):
    Pin.objects.filter(pk=pin.pk).update(
        status=PinStatus.READY_TO_SCHEDULE, scheduled_at=timezone.now() + timedelta(days=1)
    )
    response = tenant_api.post(f"/api/pins/{pin.pk}/unschedule/")
    assert response.status_code == 200
    pin.refresh_from_db()
    assert pin.status == PinStatus.DRAFT and pin.scheduled_at is None


def test_unschedule_of_a_published_pin_is_409(tenant_api, pin):
    Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHED)
    assert tenant_api.post(f"/api/pins/{pin.pk}/unschedule/").status_code == 409
    assert Pin.objects.get(pk=pin.pk).status == PinStatus.PUBLISHED


# --- List ------------------------------------------------------------------------------------


def test_list_is_paginated(tenant_api, setup):
    project, board, article = setup
    for _ in range(3):
        make_pin(project=project, board=board, article=article, with_image=False,
                 image_url="https://i.example.com/a.png")
    body = tenant_api.get("/api/pins/?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert len(tenant_api.get(body["next"]).json()["results"]) == 1


@pytest.mark.parametrize(
    "query,field",
    [
        ("status=draft,nope", "status"),
        ("project=abc", "project"),
        ("board=-1", "board"),
        ("article=1.5", "article"),
        ("scheduled_after=yesterday", "scheduled_after"),
        ("scheduled_before=2030-01-01T00:00:00", "scheduled_before"),
        ("ordering=secret", "ordering"),
    ],
)
def test_list_refuses_bad_filters_naming_the_parameter(tenant_api, query, field):
    assert list(field_errors(tenant_api.get(f"/api/pins/?{query}"))) == [field]


def test_pin_output_written_by_hand_equals_drfs_field_by_field_output(rf, setup):
    from rest_framework import serializers

    from publishing.serializers import PinSerializer

    project, board, article = setup
    uploaded = make_pin(project=project, board=board, article=article, title="T" * 120)
    by_url = make_pin(project=project, board=None, article=article, with_image=False,
                      image_url="https://i.example.com/a.png", status=PinStatus.PUBLISHED,
                      pinterest_pin_id="123", pinterest_pin_url="https://www.pinterest.com/pin/123/",
                      published_at=timezone.now(), scheduled_at=timezone.now() - timedelta(hours=1),
                      error_message="")
    request = rf.get("/api/pins/")
    for pin in (uploaded, by_url):
        serializer = PinSerializer(pin, context={"request": request})
        assert serializer.data == serializers.Serializer.to_representation(serializer, pin)
        assert list(serializer.data) == list(serializer.fields)


# --- Nothing sent is dropped: unknown and read-only fields, scheduled_at ----------------------


def test_a_misspelled_field_is_a_400_naming_it_with_the_field_meant(tenant_api, setup):
    data = {**pin_json(setup), "descripton": "typo"}
    errors = field_errors(tenant_api.post("/api/pins/", data, format="json"))
    assert list(errors) == ["descripton"]
    assert errors["descripton"][0].startswith("descripton is not a field of this endpoint. Did you mean description?")
    assert not Pin.objects.exists()


def test_every_read_only_and_unknown_field_is_named_next_to_the_invalid_ones(tenant_api, setup):
    data = {**pin_json(setup), "id": "x", "pinterest_pin_id": "1", "zzz": 1}
    data.pop("project")
    errors = field_errors(tenant_api.post("/api/pins/", data, format="json"))
    assert set(errors) == {"project", "id", "pinterest_pin_id", "zzz"}
    assert errors["id"] == ["id is read-only."]
    assert errors["pinterest_pin_id"] == ["pinterest_pin_id is read-only: set when Pinterest accepts the pin."]


def test_a_patch_with_a_read_only_status_is_a_400_and_changes_nothing(tenant_api, setup):
    pin = make_pin(project=setup[0], board=setup[1], article=setup[2], status=PinStatus.DRAFT)
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"title": "New", "status": "published"}, format="json")
    assert field_errors(response) == {"status": ["status is read-only: use /publish/ or /schedule/ "
                                                 "(or scheduled_at here)."]}
    assert Pin.objects.get(pk=pin.pk).title == pin.title


def test_create_with_scheduled_at_schedules_the_pin_ready_to_publish(tenant_api, setup):
    when = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    response = tenant_api.post("/api/pins/", {**pin_json(setup), "scheduled_at": when.isoformat()}, format="json")
    assert response.status_code == 201, response.content
    pin = Pin.objects.get()
    assert (pin.status, pin.scheduled_at) == (PinStatus.READY_TO_SCHEDULE, when)
    assert response.json()["status"] == "ready_to_schedule"


@pytest.mark.parametrize(
    "scheduled_at, fragment",
    [
        ("2020-01-01T00:00:00Z", "in the past"),
        ("2030-01-01T00:00:00", "timezone-aware"),
        ("next tuesday", "Datetime has wrong format"),
    ],
)
def test_create_with_a_bad_scheduled_at_is_a_400_naming_it_and_creates_nothing(tenant_api, setup, scheduled_at,
                                                                               fragment):
    errors = field_errors(tenant_api.post("/api/pins/", {**pin_json(setup), "scheduled_at": scheduled_at},
                                          format="json"))
    assert list(errors) == ["scheduled_at"] and fragment in errors["scheduled_at"][0]
    assert not Pin.objects.exists()


def test_create_with_scheduled_at_and_no_board_is_refused_by_the_schedule_rule(tenant_api, setup):
    upload = image_file()
    data = {**pin_json(setup, board=None, image_url=None), "image": upload, "scheduled_at": "2031-01-01T00:00:00Z"}
    response = tenant_api.post("/api/pins/", data, format="multipart")
    assert list(field_errors(response)) == ["board"]
    assert not Pin.objects.exists()


def test_a_patch_with_scheduled_at_schedules_the_pin_and_null_unschedules_it(tenant_api, setup):
    pin = make_pin(project=setup[0], board=setup[1], article=setup[2], status=PinStatus.DRAFT)
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"scheduled_at": "2031-01-01T09:00:00+02:00"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ready_to_schedule"
    assert response.json()["scheduled_at"] == "2031-01-01T07:00:00Z"
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"scheduled_at": None}, format="json")
    assert response.json()["status"] == "draft" and response.json()["scheduled_at"] is None


def test_a_patch_whose_schedule_is_refused_keeps_the_other_changes_out_too(tenant_api, setup):
    pin = make_pin(project=setup[0], board=setup[1], article=setup[2], status=PinStatus.DRAFT)
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"title": "New", "scheduled_at": "2020-01-01T00:00:00Z"},
                                format="json")
    assert list(field_errors(response)) == ["scheduled_at"]
    assert Pin.objects.get(pk=pin.pk).title == pin.title


def test_a_patch_with_a_new_upload_and_a_refused_schedule_leaves_no_stored_file(tenant_api, setup):
    pin = make_pin(project=setup[0], board=None, article=setup[2], status=PinStatus.DRAFT)
    before = stored_files()
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"image": image_file(), "scheduled_at": "2031-01-01T00:00Z"},
                                format="multipart")
    assert list(field_errors(response)) == ["board"]
    assert stored_files() == before and Pin.objects.get(pk=pin.pk).image.name == pin.image.name


def stored_files():
    return {os.path.join(root, name) for root, _, names in os.walk(settings.MEDIA_ROOT) for name in names}


def test_create_accepts_a_form_encoded_body_like_curl_d_sends(tenant_api, setup):
    response = tenant_api.generic(
        "POST", "/api/pins/", "&".join(f"{k}={v}" for k, v in pin_json(setup).items()),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.content
    assert Pin.objects.get().title == "A title"
