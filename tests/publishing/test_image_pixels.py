"""The pixel rule (``publishing.rules.image_size_problem``) on every way an image comes in: a pin's
image, a carousel item's, a video's cover, through the API and the admin alike. Only the header is
read: a 40 KB file holding a 13000x13000 bitmap is refused without being decoded."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ImageFile

from publishing.models import Pin
from tests.factories import huge_png_bytes, make_article, make_board, make_connection, make_project, png_bytes
from tests.publishing.test_api_pin_media import admin_add, base, field_errors, png, video

pytestmark = pytest.mark.django_db

MSG_13000 = (
    "The image is 13000x13000 px (169.0 megapixels); at most 40 megapixels are accepted "
    "(PIN_IMAGE_MAX_PIXELS). Pinterest shows pins at about 1000x1500 px: scale it down and upload it again."
)


@pytest.fixture
def setup(tenant):
    connection = make_connection(tenant=tenant)
    project = make_project(tenant=tenant, connection=connection)
    return project, make_board(connection=connection), make_article(project=project)


def huge_png(name="huge.png"):
    return SimpleUploadedFile(name, huge_png_bytes(), content_type="image/png")


@pytest.fixture(autouse=True)
def _never_decoded(monkeypatch):
    """Judging an image at input reads its header; decoding it would fail the test."""

    def load(self):
        raise AssertionError("an image was decoded at input")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def test_the_13000_pixel_square_png_of_issue_24_is_a_400_naming_image(tenant_api, setup):
    response = tenant_api.post("/api/pins/", base(setup, image=huge_png()), format="multipart")
    assert field_errors(response) == {"image": [MSG_13000]}
    assert not Pin.objects.exists()


def test_an_image_one_pixel_over_the_setting_is_refused_and_one_at_it_accepted(tenant_api, setup, settings):
    settings.PIN_IMAGE_MAX_PIXELS = 300 * 400
    accepted = tenant_api.post("/api/pins/", base(setup, image=png(width=300, height=400)), format="multipart")
    assert accepted.status_code == 201, accepted.content
    refused = tenant_api.post("/api/pins/", base(setup, image=png(width=301, height=400)), format="multipart")
    assert field_errors(refused)["image"] == [
        "The image is 301x400 px (0.1 megapixels); at most 0.12 megapixels are accepted (PIN_IMAGE_MAX_PIXELS). "
        "Pinterest shows pins at about 1000x1500 px: scale it down and upload it again."
    ]


def test_a_carousel_items_image_over_the_setting_is_refused_naming_the_item(tenant_api, setup):
    data = base(setup, carousel=json.dumps([{"file": "a"}, {"file": "b"}]), a=png(), b=huge_png())
    errors = field_errors(tenant_api.post("/api/pins/", data, format="multipart"))
    assert errors["carousel"][0] == f"Item 2: {MSG_13000}"
    assert not Pin.objects.exists()


def test_a_video_cover_over_the_setting_is_refused_naming_cover_image(tenant_api, setup):
    data = base(setup, video=video(), cover_image=huge_png())
    errors = field_errors(tenant_api.post("/api/pins/", data, format="multipart"))
    assert errors == {"cover_image": [MSG_13000]}


def test_an_update_with_an_image_over_the_setting_is_refused_and_keeps_the_pin(tenant_api, setup):
    pin = tenant_api.post("/api/pins/", base(setup, image=png()), format="multipart").json()
    response = tenant_api.patch(f"/api/pins/{pin['id']}/", {"image": huge_png()}, format="multipart")
    assert field_errors(response) == {"image": [MSG_13000]}
    assert Pin.objects.get().image.name.endswith(".png") and Pin.objects.get().image.width == 300


@pytest.mark.parametrize(("fmt", "content_type"), [("WEBP", "image/webp"), ("GIF", "image/gif")])
def test_a_webp_or_gif_over_the_conversion_setting_is_refused_saying_to_send_jpeg_or_png(
    tenant_api, setup, settings, fmt, content_type
):
    settings.PIN_IMAGE_CONVERTED_MAX_PIXELS = 300 * 400 - 1
    image = SimpleUploadedFile(f"a.{fmt.lower()}", png_bytes(300, 400, fmt=fmt), content_type=content_type)
    errors = field_errors(tenant_api.post("/api/pins/", base(setup, image=image), format="multipart"))
    assert errors["image"] == [
        f"The image is a {fmt} image of 300x400 px (0.1 megapixels); Pinterest takes uploaded images as JPEG or "
        "PNG, so it would be converted, and at most 0.119999 megapixels are converted "
        "(PIN_IMAGE_CONVERTED_MAX_PIXELS). Save it as JPEG or PNG, or scale it down, and upload it again."
    ]
    same_size_png = SimpleUploadedFile("a.png", png_bytes(300, 400), content_type="image/png")
    assert tenant_api.post("/api/pins/", base(setup, image=same_size_png), format="multipart").status_code == 201


def test_the_admin_refuses_the_13000_pixel_png_with_the_apis_message(admin_user_client, setup):
    response = admin_add(admin_user_client, setup, [], image=huge_png())
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"] == [MSG_13000]
    assert not Pin.objects.exists()


def test_the_admin_refuses_a_carousel_row_over_the_setting(admin_user_client, setup):
    response = admin_add(admin_user_client, setup, [
        {"position": "0", "image": png("a.png")}, {"position": "1", "image": huge_png()},
    ])
    assert response.status_code == 200
    assert f"carousel: Item 2: {MSG_13000}" in response.context["adminform"].form.non_field_errors()
    assert not Pin.objects.exists()
