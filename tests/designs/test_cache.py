"""Rendered designs are cached by their inputs: a reload does not draw again, and any input that
changes the pixels (the photo file, the style, the variant, the renderer's version) is a new key."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designs import cache as design_cache
from designs.render import DesignInput, Style
from designs.services import design_render, design_style_update
from tests.designs.test_services_api import jpeg, pin_with_photo
from tests.factories import make_article, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(tenant):
    return make_article(project=make_project(tenant=tenant), title="Ten easy weeknight dinners")


@pytest.fixture
def renders(monkeypatch):
    """Every real render, counted."""
    drawn = []
    real = design_cache.render

    def counting(template, design):
        drawn.append(template)
        return real(template, design)

    monkeypatch.setattr(design_cache, "render", counting)
    return drawn


def test_the_same_design_twice_is_drawn_once_and_gives_the_same_bytes(article, renders):
    pin_with_photo(article)
    first = design_render(article=article, template="photo_band")
    again = design_render(article=article, template="photo_band")
    assert renders == ["photo_band"] and again.data == first.data and again.template == "photo_band"


def test_another_template_or_variant_is_drawn_again(article, renders):
    pin_with_photo(article), pin_with_photo(article, colour=(200, 0, 0))
    design_render(article=article, template="split", variant=0)
    design_render(article=article, template="split", variant=1)
    design_render(article=article, template="collage", variant=0)
    assert renders == ["split", "split", "collage"]


def test_a_changed_style_is_drawn_again(article, renders):
    design_render(article=article, template="text")
    design_style_update(project=article.project, data={"background_color": "#102030"})
    assert design_render(article=article, template="text").data != b""
    assert renders == ["text", "text"]


def test_a_replaced_photo_file_is_drawn_again(article, renders):
    pin = pin_with_photo(article, colour=(0, 200, 0))
    green = design_render(article=article, template="photo_band")
    with open(pin.image.path, "wb") as handle:  # the same name, other pixels (and size)
        handle.write(jpeg(1200, 900, colour=(200, 0, 0)))
    red = design_render(article=article, template="photo_band")
    assert renders == ["photo_band", "photo_band"] and red.data != green.data


def test_a_new_renderer_version_is_another_key(monkeypatch):
    design = DesignInput("A title", (b"some bytes",), Style(logo=b"a logo"))
    before = design_cache.design_cache_key(template="text", variant=0, design=design)
    monkeypatch.setattr(design_cache, "RENDERER_VERSION", 999)
    assert design_cache.design_cache_key(template="text", variant=0, design=design) != before


def test_every_style_field_and_the_logo_bytes_are_in_the_key():
    base = DesignInput("A title", (), Style())
    key = design_cache.design_cache_key(template="text", variant=0, design=base)
    others = [Style(background="#000000"), Style(text="#000000"), Style(accent="#000000"), Style(family="serif"),
              Style(footer_text="example.com"), Style(logo=b"a logo"), Style(fallback_fonts=())]
    keys = {design_cache.design_cache_key(template="text", variant=0, design=DesignInput("A title", (), style))
            for style in others}
    assert key not in keys and len(keys) == len(others)
    missing = DesignInput("A title", ("/nowhere/photo.jpg",), Style())
    assert design_cache.design_cache_key(template="text", variant=0, design=missing) != key


def test_a_cache_time_of_zero_draws_every_time(article, renders, settings):
    settings.DESIGNS_CACHE_SECONDS = 0
    design_render(article=article, template="text")
    design_render(article=article, template="text")
    assert renders == ["text", "text"]


def test_the_designs_page_reloaded_draws_nothing_again(article, renders, client, tenant):
    pin_with_photo(article)
    user = make_user(tenant=tenant)
    client.force_login(user)
    url = f"/planner/articles/{article.pk}/designs/"
    assert client.get(url).status_code == 200
    drawn = len(renders)
    assert client.get(url).status_code == 200
    assert client.get(f"/planner/articles/{article.pk}/designs/photo_band.png").status_code == 200
    assert drawn == 4 and len(renders) == drawn


def test_a_logo_upload_is_in_the_key(article, renders):
    design_style_update(project=article.project, data={"footer_text": "example.com"})
    design_render(article=article, template="text")
    logo = SimpleUploadedFile("logo.jpg", jpeg(400, 120), content_type="image/jpeg")
    design_style_update(project=article.project, data={}, logo=logo)
    design_render(article=article, template="text")
    assert renders == ["text", "text"]
