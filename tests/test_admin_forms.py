"""The admin's add and change forms write through the content services, like the REST API:
the same rules, the same messages, the same stored result; what is refused saves nothing."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from pinterest.models import Board, PinterestConnection
from publishing.models import BlogArticle, BlogProject, Pin, PinStatus
from tests.factories import (
    make_article,
    make_board,
    make_connection,
    make_pin,
    make_project,
    make_tenant,
)

pytestmark = pytest.mark.django_db

# The change form's inlines (carousel images; publish attempts, shown to a superuser) need their
# management forms.
ATTEMPTS_INLINE = {
    "attempts-TOTAL_FORMS": "0",
    "attempts-INITIAL_FORMS": "0",
    "attempts-MIN_NUM_FORMS": "0",
    "attempts-MAX_NUM_FORMS": "1000",
    "carousel_items-TOTAL_FORMS": "0",
    "carousel_items-INITIAL_FORMS": "0",
    "carousel_items-MIN_NUM_FORMS": "0",
    "carousel_items-MAX_NUM_FORMS": "5",
}


def image_bytes(fmt="PNG", size=(200, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(content, name="pin.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def setup(tenant):
    """A project with a connection, a board of it and an article."""
    connection = make_connection(tenant=tenant)
    board = make_board(connection=connection)
    project = make_project(tenant=tenant, connection=connection)
    article = make_article(project=project)
    return project, board, article


def pin_data(setup, **overrides):
    project, board, article = setup
    data = {"project": project.pk, "article": article.pk, "board": board.pk, "title": "A title",
            "description": "", "alt_text": "", "image_url": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def admin_post(client, url, data):
    """POST an admin form; a refusal re-renders the form, whose errors are returned."""
    response = client.post(url, {**data, **ATTEMPTS_INLINE})
    if response.status_code == 302:
        return response, {}
    assert response.status_code == 200, response.content[:500]
    form = response.context["adminform"].form
    return response, {field: list(errors) for field, errors in form.errors.items()}


def api_errors(tenant_api, data):
    response = tenant_api.post("/api/pins/", {k: v for k, v in data.items() if v != ""}, format="multipart")
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def stored_files(settings):
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] if settings.MEDIA_ROOT.exists() else []


PIN_ADD = reverse("admin:publishing_pin_add")


# --- Pins: add ---------------------------------------------------------------------------------


BAD_PINS = {
    "no image and no image_url": ({}, "image"),
    "a 50 MB file": ({"image": lambda: upload(image_bytes() + b"\0" * (50 * 1024 * 1024))}, "image"),
    "a TIFF": ({"image": lambda: upload(image_bytes("TIFF"), "pin.tiff", "image/tiff")}, "image"),
    "a 10x10 PNG": ({"image": lambda: upload(image_bytes(size=(10, 10)))}, "image"),
    "a file that is not an image": ({"image": lambda: upload(b"not an image at all")}, "image"),
    "a plain http image_url": ({"image_url": "http://127.0.0.1/x.png"}, "image_url"),
    "both an image and an image_url": (
        {"image": lambda: upload(image_bytes()), "image_url": "https://i.example.com/a.png"}, "image"
    ),
    "a 501-character title": ({"title": "T" * 501, "image_url": "https://i.example.com/a.png"}, "title"),
    "a 10,001-character description": (
        {"description": "D" * 10_001, "image_url": "https://i.example.com/a.png"}, "description"
    ),
    "a 5,001-character alt text": ({"alt_text": "A" * 5_001, "image_url": "https://i.example.com/a.png"}, "alt_text"),
    "an ftp link": ({"link": "ftp://blog.example.com/a", "image_url": "https://i.example.com/a.png"}, "link"),
    "a 2,049-character link": (
        {"link": "https://blog.example.com/" + "a" * 2_024, "image_url": "https://i.example.com/a.png"}, "link"
    ),
}


@pytest.mark.parametrize("case", BAD_PINS)
def test_admin_refuses_what_the_api_refuses_with_the_same_message_and_saves_nothing(
    admin_user_client, tenant_api, setup, settings, case
):
    overrides, field = BAD_PINS[case]
    inputs = {key: value() if callable(value) else value for key, value in overrides.items()}
    response, errors = admin_post(admin_user_client, PIN_ADD, pin_data(setup, **inputs))

    assert response.status_code == 200 and field in errors, errors
    assert not Pin.objects.exists() and stored_files(settings) == []
    api_inputs = {key: value() if callable(value) else value for key, value in overrides.items()}
    assert errors[field] == api_errors(tenant_api, pin_data(setup, **api_inputs))[field]


def test_admin_refuses_another_tenants_board_and_article_for_a_superuser(admin_client, setup):
    foreign_board, foreign_article = make_board(), make_article()
    _, errors = admin_post(admin_client, PIN_ADD, pin_data(
        setup, board=foreign_board.pk, article=foreign_article.pk, image_url="https://i.example.com/a.png"
    ))
    assert errors["board"] == [f"Board {foreign_board.pk} not found among the boards of your Pinterest accounts."]
    assert errors["article"] == [f"Article {foreign_article.pk} not found."]
    assert not Pin.objects.exists()


def test_a_tenant_staff_user_cannot_choose_another_tenants_board(admin_user_client, setup):
    foreign_board = make_board()
    _, errors = admin_post(admin_user_client, PIN_ADD,
                           pin_data(setup, board=foreign_board.pk, image_url="https://i.example.com/a.png"))
    assert "board" in errors and not Pin.objects.exists()


@pytest.mark.parametrize("problem", ["archived", "another account than the project's"])
def test_admin_refuses_a_board_the_api_refuses(admin_user_client, tenant_api, setup, tenant, problem):
    if problem == "archived":
        board = setup[1]
        Board.objects.filter(pk=board.pk).update(is_archived=True)
    else:
        board = make_board(connection=make_connection(tenant=tenant))
    data = pin_data(setup, board=board.pk, image_url="https://i.example.com/a.png")
    _, errors = admin_post(admin_user_client, PIN_ADD, data)
    assert errors["board"] == api_errors(tenant_api, data)["board"]
    assert not Pin.objects.exists()


@pytest.mark.parametrize(
    "fmt,name,extension",
    [("PNG", "pin.png", "png"), ("JPEG", "photo.png", "jpg"), ("WEBP", "pic.gif", "webp"), ("GIF", "a", "gif")],
)
def test_a_valid_upload_is_stored_as_the_api_stores_it(admin_user_client, tenant_api, setup, fmt, name, extension):
    content = image_bytes(fmt)
    response, errors = admin_post(admin_user_client, PIN_ADD, pin_data(setup, image=upload(content, name)))
    assert response.status_code == 302, errors
    by_admin = Pin.objects.get()
    by_api = Pin.objects.get(pk=tenant_api.post(
        "/api/pins/", {**pin_data(setup, image_url=None), "image": upload(content, name)}, format="multipart"
    ).json()["id"])

    for pin in (by_admin, by_api):
        assert re.fullmatch(rf"pins/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.{extension}", pin.image.name), pin.image.name
        assert pin.image.read() == content
        assert (pin.status, pin.image_url, pin.scheduled_at) == (PinStatus.DRAFT, "", None)
    fields = ("project_id", "article_id", "board_id", "title", "description", "alt_text")
    assert [getattr(by_admin, f) for f in fields] == [getattr(by_api, f) for f in fields]
    assert LogEntry.objects.filter(object_id=str(by_admin.pk)).exists()


def test_a_new_pin_is_a_draft_even_if_the_form_sends_a_schedule(admin_user_client, setup):
    data = pin_data(setup, image_url="https://i.example.com/a.png",
                    scheduled_at_0="2030-01-01", scheduled_at_1="10:00:00")
    response, _ = admin_post(admin_user_client, PIN_ADD, data)
    assert response.status_code == 302
    pin = Pin.objects.get()
    assert (pin.status, pin.scheduled_at) == (PinStatus.DRAFT, None)


# --- Pins: change ------------------------------------------------------------------------------


@pytest.fixture
def pin(setup):
    project, board, article = setup
    return make_pin(project=project, board=board, article=article, status=PinStatus.DRAFT)


def change_url(pin):
    return reverse("admin:publishing_pin_change", args=[pin.pk])


def change_data(client, pin, **changes):
    """The change form as the browser would send it back, with ``changes`` applied."""
    form = client.get(change_url(pin)).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name == "scheduled_at":
            data.update({"scheduled_at_0": value.date().isoformat() if value else "",
                         "scheduled_at_1": value.time().isoformat() if value else ""})
        elif name not in ("image", "video", "cover_image"):  # a browser sends no file it was not given
            data[name] = "" if value is None else value
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "status,message",
    [
        (PinStatus.PUBLISHING, "Pin is being published right now; it cannot be changed until publishing ends."),
        (PinStatus.PUBLISHED,
         "Pin is published; it can be changed only while it is draft, ready to schedule, error or in review."),
    ],
)
def test_a_publishing_or_published_pin_is_refused_by_the_services_guard(admin_user_client, pin, status, message):
    data = change_data(admin_user_client, pin, title="Edited in the admin")
    Pin.objects.filter(pk=pin.pk).update(status=status)
    _, errors = admin_post(admin_user_client, change_url(pin), data)
    assert errors["__all__"] == [message]
    fresh = Pin.objects.get(pk=pin.pk)
    assert (fresh.status, fresh.title) == (status, pin.title)


def test_a_pin_claimed_after_the_admin_loaded_it_is_not_overwritten(admin_user_client, pin, monkeypatch):
    model_admin = admin.site._registry[Pin]
    data = change_data(admin_user_client, pin, title="Edited in the admin")
    original_get_object = model_admin.get_object

    def claimed_meanwhile(*args, **kwargs):
        obj = original_get_object(*args, **kwargs)
        Pin.objects.filter(pk=pin.pk).update(status=PinStatus.PUBLISHING)  # the publisher's claim
        return obj

    monkeypatch.setattr(model_admin, "get_object", claimed_meanwhile)
    _, errors = admin_post(admin_user_client, change_url(pin), data)
    assert "being published right now" in errors["__all__"][0]
    assert Pin.objects.get(pk=pin.pk).title == pin.title


def test_a_change_is_written_through_the_service(admin_user_client, pin):
    # "image-clear" is ignored: the form has no clear box, an upload is only ever replaced.
    data = change_data(admin_user_client, pin, title="New title", image_url="https://i.example.com/n.png",
                       **{"image-clear": "on"})
    response, errors = admin_post(admin_user_client, change_url(pin), data)
    assert response.status_code == 302, errors
    fresh = Pin.objects.get(pk=pin.pk)
    # An image_url replaces the upload, as in the API.
    assert (fresh.title, fresh.image_url, fresh.image.name) == ("New title", "https://i.example.com/n.png", "")


def test_a_change_the_api_refuses_is_refused_on_its_field(admin_user_client, pin):
    data = change_data(admin_user_client, pin, title="New title", image_url="http://127.0.0.1/x.png")
    _, errors = admin_post(admin_user_client, change_url(pin), data)
    assert errors["image_url"] == ["Must be an https URL."]
    assert Pin.objects.get(pk=pin.pk).title == pin.title


def test_a_link_is_changed_and_a_bad_one_refused_on_its_field_through_the_service(admin_user_client, pin):
    data = change_data(admin_user_client, pin, link="https://blog.example.com/a?utm_source=pinterest")
    response, errors = admin_post(admin_user_client, change_url(pin), data)
    assert response.status_code == 302, errors
    assert Pin.objects.get(pk=pin.pk).link == "https://blog.example.com/a?utm_source=pinterest"

    _, errors = admin_post(admin_user_client, change_url(pin), {**data, "link": "javascript:alert(1)"})
    assert errors["link"] == ["Must be an http or https URL."]
    assert Pin.objects.get(pk=pin.pk).link == "https://blog.example.com/a?utm_source=pinterest"


@pytest.mark.parametrize("field,limit", [("title", 500), ("description", 10_000), ("alt_text", 5_000)])
def test_a_change_to_text_over_the_services_limit_is_refused_with_its_message(admin_user_client, pin, field, limit):
    response, errors = admin_post(admin_user_client, change_url(pin),
                                  change_data(admin_user_client, pin, **{field: "x" * limit}))
    assert response.status_code == 302, errors
    assert len(getattr(Pin.objects.get(pk=pin.pk), field)) == limit

    _, errors = admin_post(admin_user_client, change_url(pin),
                           change_data(admin_user_client, pin, **{field: "y" * (limit + 1)}))
    assert errors == {field: [f"This text is {limit + 1} characters long; at most {limit} are accepted."]}
    assert getattr(Pin.objects.get(pk=pin.pk), field) == "x" * limit


def test_a_new_schedule_goes_through_pin_schedule(admin_user_client, pin):
    past = timezone.now() - timedelta(days=1)
    data = change_data(admin_user_client, pin, title="New title",
                       scheduled_at_0=past.date().isoformat(), scheduled_at_1="10:00:00")
    _, errors = admin_post(admin_user_client, change_url(pin), data)
    assert "in the past" in errors["scheduled_at"][0]
    fresh = Pin.objects.get(pk=pin.pk)
    assert (fresh.title, fresh.status, fresh.scheduled_at) == (pin.title, PinStatus.DRAFT, None)

    data.update(scheduled_at_0="2030-05-01", scheduled_at_1="09:00:00")
    response, errors = admin_post(admin_user_client, change_url(pin), data)
    assert response.status_code == 302, errors
    fresh = Pin.objects.get(pk=pin.pk)
    assert (fresh.title, fresh.status) == ("New title", PinStatus.READY_TO_SCHEDULE)
    assert fresh.scheduled_at.isoformat() == "2030-05-01T09:00:00+00:00"


def test_a_typed_time_is_read_in_the_pins_project_zone_and_shown_back_in_it(admin_user_client, pin):
    BlogProject.objects.filter(pk=pin.project_id).update(timezone="Europe/Berlin")
    page = admin_user_client.get(change_url(pin)).content.decode()
    assert "In Europe/Berlin" in page

    data = change_data(admin_user_client, pin, scheduled_at_0="2030-01-15", scheduled_at_1="09:00:00")
    response, errors = admin_post(admin_user_client, change_url(pin), data)
    assert response.status_code == 302, errors
    fresh = Pin.objects.get(pk=pin.pk)
    assert fresh.scheduled_at == datetime(2030, 1, 15, 8, 0, tzinfo=UTC)  # CET is UTC+1 in winter

    form = admin_user_client.get(change_url(pin)).context["adminform"].form
    shown = form["scheduled_at"].value()
    assert (shown.date().isoformat(), shown.time().isoformat()) == ("2030-01-15", "09:00:00")
    # Sent back untouched, the time is not a change: it stays where it is.
    response, errors = admin_post(admin_user_client, change_url(pin), change_data(admin_user_client, pin))
    assert response.status_code == 302, errors
    assert Pin.objects.get(pk=pin.pk).scheduled_at == datetime(2030, 1, 15, 8, 0, tzinfo=UTC)


def test_a_typed_time_is_read_in_the_zone_of_the_project_the_pin_moves_to(admin_user_client, pin, setup):
    project, board, _article = setup
    tokyo = make_project(tenant=project.tenant, connection=board.connection, timezone="Asia/Tokyo")
    article = make_article(project=tokyo)
    data = change_data(admin_user_client, pin, project=tokyo.pk, article=article.pk,
                       scheduled_at_0="2030-07-01", scheduled_at_1="09:00:00")
    response, errors = admin_post(admin_user_client, change_url(pin), data)
    assert response.status_code == 302, errors
    fresh = Pin.objects.get(pk=pin.pk)
    assert (fresh.project_id, fresh.scheduled_at) == (tokyo.pk, datetime(2030, 7, 1, 0, 0, tzinfo=UTC))


def test_a_refused_schedule_leaves_no_new_image_behind(admin_user_client, pin, settings):
    files_before = stored_files(settings)
    data = change_data(admin_user_client, pin, image=upload(image_bytes()),
                       scheduled_at_0="2001-01-01", scheduled_at_1="10:00:00")
    _, errors = admin_post(admin_user_client, change_url(pin), data)
    assert "scheduled_at" in errors
    assert stored_files(settings) == files_before
    assert Pin.objects.get(pk=pin.pk).image.name == pin.image.name


# --- Projects and articles ---------------------------------------------------------------------


def test_a_superuser_cannot_give_a_project_another_tenants_connection(admin_client, tenant):
    foreign = make_connection()
    _, errors = admin_post(admin_client, reverse("admin:publishing_blogproject_add"),
                           {"tenant": tenant.pk, "name": "Blog", "pinterest_connection": foreign.pk})
    assert errors["pinterest_connection"] == [f"Pinterest connection {foreign.pk} not found."]
    assert not BlogProject.objects.exists()


def test_a_project_name_is_unique_in_the_tenant_with_the_services_message(admin_user_client, tenant):
    make_project(tenant=tenant, name="Blog")
    _, errors = admin_post(admin_user_client, reverse("admin:publishing_blogproject_add"),
                           {"tenant": tenant.pk, "name": "Blog", "pinterest_connection": ""})
    assert errors["name"] == ["You already have a project named 'Blog'."]


def test_a_project_is_created_for_the_tenant_and_never_moves(admin_user_client, tenant):
    connection = make_connection(tenant=tenant)
    response, errors = admin_post(admin_user_client, reverse("admin:publishing_blogproject_add"),
                                  {"tenant": tenant.pk, "name": " Blog ", "pinterest_connection": connection.pk})
    assert response.status_code == 302, errors
    project = BlogProject.objects.get()
    assert (project.tenant, project.name, project.pinterest_connection) == (tenant, "Blog", connection)

    url = reverse("admin:publishing_blogproject_change", args=[project.pk])
    admin_post(admin_user_client, url, {"tenant": make_tenant().pk, "name": "Renamed", "pinterest_connection": ""})
    project.refresh_from_db()
    assert (project.tenant, project.name, project.pinterest_connection) == (tenant, "Renamed", None)


def test_an_article_url_must_be_http_or_https(admin_user_client, setup):
    _, errors = admin_post(admin_user_client, reverse("admin:publishing_blogarticle_add"),
                           {"project": setup[0].pk, "url": "ftp://blog.example.com/a", "title": ""})
    assert errors["url"] == ["Must be an http or https URL."]
    assert BlogArticle.objects.count() == 1  # the fixture's


def test_an_article_with_pins_cannot_move_to_another_project(admin_user_client, pin, tenant):
    other = make_project(tenant=tenant)
    url = reverse("admin:publishing_blogarticle_change", args=[pin.article_id])
    _, errors = admin_post(admin_user_client, url, {"project": other.pk, "url": pin.article.url, "title": "x"})
    assert "cannot move to another project" in errors["__all__"][0]
    assert BlogArticle.objects.get(pk=pin.article_id).project_id == pin.project_id


# --- Connections and boards --------------------------------------------------------------------


def test_a_connection_stays_with_its_tenant(admin_client, setup):
    connection = setup[1].connection
    url = reverse("admin:pinterest_pinterestconnection_change", args=[connection.pk])
    data = {"tenant": make_tenant().pk, "pinterest_user_id": "other", "username": "renamed", "is_active": "on",
            "scopes": "", "last_error": "", "boards-TOTAL_FORMS": "0", "boards-INITIAL_FORMS": "0",
            "boards-MIN_NUM_FORMS": "0", "boards-MAX_NUM_FORMS": "1000"}
    assert admin_client.post(url, data).status_code == 302
    fresh = PinterestConnection.objects.get(pk=connection.pk)
    assert (fresh.tenant_id, fresh.pinterest_user_id, fresh.username) == (
        connection.tenant_id, connection.pinterest_user_id, "renamed"
    )


def test_a_connection_is_added_only_from_a_checked_token(admin_client):
    response = admin_client.get(reverse("admin:pinterest_pinterestconnection_add"))
    assert response.url == reverse("admin:pinterest_pinterestconnection_add_token")


def test_boards_are_read_only_in_the_admin(admin_user_client, setup):
    board = setup[1]
    url = reverse("admin:pinterest_board_change", args=[board.pk])
    response = admin_user_client.post(url, {"connection": make_connection().pk, "name": "x",
                                            "pinterest_board_id": "1", "is_archived": "on"})
    assert response.status_code == 403
    assert admin_user_client.get(reverse("admin:pinterest_board_add")).status_code == 403
    fresh = Board.objects.get(pk=board.pk)
    assert (fresh.connection_id, fresh.is_archived) == (board.connection_id, False)
