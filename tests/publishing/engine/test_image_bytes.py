"""A pin's image sent as bytes: JPEG and PNG go as the stored file's own bytes, read while the
create is sent and never decoded; an image stored before the pixel rule (or over it since the
setting was lowered) ends the pin in error with the rule's words, before anything is sent."""

import base64

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ImageFile

from publishing.engine import pin_build_payload, pin_publish
from publishing.models import CarouselItem, Pin, PinKind, PinStatus
from publishing.services import content
from tests.factories import huge_png_bytes, make_article, make_project, png_bytes
from tests.publishing.helpers import create_calls, standin_account

pytestmark = pytest.mark.django_db

MSG_13000 = (
    "The image is 13000x13000 px (169.0 megapixels); at most 40 megapixels are accepted "
    "(PIN_IMAGE_MAX_PIXELS). Pinterest shows pins at about 1000x1500 px: scale it down and upload it again."
)


@pytest.fixture
def account(standin):
    connection, (board,) = standin_account(standin)
    project = make_project(tenant=connection.tenant, connection=connection)
    return connection, board, project, make_article(project=project)


@pytest.fixture
def never_decoded(monkeypatch):
    def load(self):
        raise AssertionError("an image was decoded at publish")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def stored_pin(account, data: bytes, name: str, **fields) -> Pin:
    """A pin whose image file was stored as it is, as one accepted before today's rules was."""
    _connection, board, project, article = account
    pin = Pin(project=project, article=article, board=board, title="Stored long ago", **fields)
    pin.image.save(name, ContentFile(data), save=False)
    pin.save()
    return pin


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_a_jpeg_or_png_goes_as_its_stored_bytes_without_being_decoded(account, standin, never_decoded,
                                                                      fmt, content_type):
    connection, board, project, article = account
    data = png_bytes(300, 400, fmt=fmt)
    upload = SimpleUploadedFile(f"a.{fmt.lower()}", data, content_type=content_type)
    pin = content.pin_create(tenant=connection.tenant, project_id=project.pk, article_id=article.pk,
                             board_id=board.pk, title="Soup", image=upload)

    result = pin_publish(pin_id=pin.pk)

    assert result.success, result.error
    source = pin_build_payload(pin=pin)["media_source"]
    assert (source["content_type"], base64.b64decode(source["data"])) == (content_type, data)
    assert standin.created_count(board.pinterest_board_id, body=pin_build_payload(pin=pin)) == 1


def test_the_13000_pixel_png_stored_before_the_rule_ends_in_error_naming_the_rule(account, standin,
                                                                                  never_decoded):
    pin = stored_pin(account, huge_png_bytes(), "huge.png")

    result = pin_publish(pin_id=pin.pk)

    pin.refresh_from_db()
    assert (result.success, pin.status, pin.error_message) == (False, PinStatus.ERROR, MSG_13000)
    assert create_calls(standin) == 0


def test_a_carousel_image_over_a_lowered_setting_ends_the_pin_in_error_naming_the_item(account, standin,
                                                                                       settings):
    _connection, board, project, article = account
    pin = Pin.objects.create(project=project, article=article, board=board, kind=PinKind.CAROUSEL, title="Steps")
    for position, size in enumerate([(300, 400), (300, 400)]):
        item = CarouselItem(pin=pin, position=position)
        item.image.save(f"{position}.png", ContentFile(png_bytes(*size)), save=False)
        item.save()
    settings.PIN_IMAGE_MAX_PIXELS = 100_000

    result = pin_publish(pin_id=pin.pk)

    pin.refresh_from_db()
    assert pin.status == PinStatus.ERROR and not result.success
    assert pin.error_message.startswith("The carousel image 1 is 300x400 px (0.1 megapixels); at most 0.1 megapixels")
    assert create_calls(standin) == 0


def test_a_webp_stored_over_the_conversion_setting_is_not_decoded(account, standin, never_decoded, settings):
    settings.PIN_IMAGE_CONVERTED_MAX_PIXELS = 50_000
    pin = stored_pin(account, png_bytes(300, 400, fmt="WEBP"), "a.webp")

    result = pin_publish(pin_id=pin.pk)

    pin.refresh_from_db()
    assert pin.status == PinStatus.ERROR and not result.success
    assert pin.error_message.startswith("The image is a WEBP image of 300x400 px")
    assert create_calls(standin) == 0
