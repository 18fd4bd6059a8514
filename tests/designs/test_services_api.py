"""The designs app: an article's images, its designs in the project's style, picked designs made
into draft pins through publishing's pin service, and the style through the API (tenant-scoped)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from designs.models import DesignedPin, DesignStyle
from designs.selectors import article_image_sources
from designs.services import cut_title, design_pins_create, design_render, design_style_update
from publishing.models import Pin, PinStatus
from tests.factories import api_client, make_article, make_pin, make_project, make_tenant, make_user

pytestmark = pytest.mark.django_db


def jpeg(width=900, height=700, colour=(30, 140, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def pin_with_photo(article, colour=(30, 140, 60), size=(900, 700)):
    pin = make_pin(project=article.project, article=article, with_image=False, status=PinStatus.DRAFT)
    pin.image.save("photo.jpg", SimpleUploadedFile("photo.jpg", jpeg(*size, colour=colour)), save=True)
    return pin


@pytest.fixture
def article(tenant):
    return make_article(project=make_project(tenant=tenant), title="Ten easy weeknight dinners")


def test_an_article_without_images_is_designed_on_the_text_template(article):
    rendered = design_render(article=article, template="photo_band")
    assert rendered.template == "text" and "no image" in rendered.fallback


def test_an_article_with_only_a_tiny_pin_image_falls_back_to_text(article):
    make_pin(project=article.project, article=article)  # the factory's 200x200 image
    rendered = design_render(article=article, template="split")
    assert rendered.template == "text" and "under 300 px" in rendered.fallback


def test_the_article_pins_photos_are_its_images_and_a_collage_uses_them(article):
    pin_with_photo(article), pin_with_photo(article, colour=(200, 30, 30))
    assert len(article_image_sources(article=article)) == 2
    assert design_render(article=article, template="collage").template == "collage"


def test_the_variant_turns_which_photo_comes_first(article):
    pin_with_photo(article, colour=(0, 200, 0)), pin_with_photo(article, colour=(200, 0, 0))
    def photo_pixel(variant):
        png = design_render(article=article, template="split", variant=variant).data
        return Image.open(io.BytesIO(png)).getpixel((500, 300))

    first, second = photo_pixel(0), photo_pixel(1)
    assert first[1] > first[0] and second[0] > second[1]


def test_the_project_style_colours_the_design(article):
    design_style_update(project=article.project, data={"background_color": "#102030", "footer_text": "example.com"})
    image = Image.open(io.BytesIO(design_render(article=article, template="text").data)).convert("RGB")
    assert image.getpixel((5, 5)) == (0x10, 0x20, 0x30)


def test_picked_designs_become_draft_pins_through_the_pin_service_and_are_not_images_of_the_article(tenant, article):
    pin_with_photo(article)
    pins = design_pins_create(tenant=tenant, article=article, picks=[("photo_band", 0), ("text", 0)])
    assert [p.status for p in pins] == [PinStatus.DRAFT, PinStatus.DRAFT]
    assert all(p.image and p.title == article.title and p.alt_text == article.title for p in pins)
    with Image.open(pins[0].image.path) as stored:
        assert stored.size == (1000, 1500) and stored.format == "JPEG"  # a photo design
    assert pins[0].image.name.endswith(".jpg") and pins[1].image.name.endswith(".png")
    assert set(DesignedPin.objects.values_list("template", flat=True)) == {"photo_band", "text"}
    assert len(article_image_sources(article=article)) == 1  # the designs are not sources of designs


def test_no_pick_or_an_unknown_template_is_refused_naming_the_field(tenant, article):
    with pytest.raises(ValidationError) as none:
        design_pins_create(tenant=tenant, article=article, picks=[])
    assert "picks" in none.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        design_pins_create(tenant=tenant, article=article, picks=[("poster", 0)])
    assert "template" in unknown.value.message_dict
    assert not Pin.objects.filter(article=article).exists()


def test_a_design_with_characters_no_font_has_is_not_made_into_a_pin(tenant, settings):
    settings.DESIGNS_FALLBACK_FONTS = []
    article = make_article(project=make_project(tenant=tenant), title="如何在家里种植西红柿")
    with pytest.raises(ValidationError) as refused:
        design_pins_create(tenant=tenant, article=article, picks=[("text", 0)])
    assert "no installed font" in str(refused.value.message_dict["template"])


def test_a_long_title_is_cut_at_a_word_to_pinterests_100_characters():
    title = "word " * 40
    cut = cut_title(title)
    assert len(cut) <= 100 and cut.endswith("word")


def test_a_bad_colour_or_font_is_refused_naming_each_field(article):
    with pytest.raises(ValidationError) as refused:
        design_style_update(project=article.project, data={"background_color": "red", "font_family": "comic"})
    assert {"background_color", "font_family"} <= set(refused.value.message_dict)
    assert not DesignStyle.objects.exists()


def test_the_style_api_reads_and_patches_and_refuses_by_field(tenant, tenant_api, article):
    url = f"/api/projects/{article.project_id}/design-style/"
    assert tenant_api.get(url).json()["background_color"] == "#1f2a44"
    answer = tenant_api.patch(url, {"accent_color": "#00ff00", "footer_text": "example.com"}, format="json")
    assert answer.status_code == 200 and answer.json()["accent_color"] == "#00ff00"
    for body, field in (({"text_color": "white"}, "text_color"), ({"shadow": 1}, "shadow")):
        bad = tenant_api.patch(url, body, format="json")
        assert bad.status_code == 400 and field in bad.json()["error"]["fields"]


def test_the_style_api_takes_a_logo_and_refuses_a_file_that_is_not_an_image(tenant_api, article):
    url = f"/api/projects/{article.project_id}/design-style/"
    logo = SimpleUploadedFile("logo.png", jpeg(400, 120), content_type="image/jpeg")
    assert tenant_api.patch(url, {"logo": logo}, format="multipart").json()["logo"]
    junk = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    bad = tenant_api.patch(url, {"logo": junk}, format="multipart")
    assert bad.status_code == 400 and "logo" in bad.json()["error"]["fields"]


def test_the_design_image_api_answers_a_png_saying_the_template_drawn(tenant_api, article):
    answer = tenant_api.get(f"/api/articles/{article.pk}/designs/collage.png")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert answer["Design-Template"] == "text" and "no image" in answer["Design-Fallback"]
    assert tenant_api.get(f"/api/articles/{article.pk}/designs/poster.png").status_code == 400


def test_the_design_pins_api_makes_drafts_and_another_tenants_article_is_not_found(tenant_api, article):
    answer = tenant_api.post(f"/api/articles/{article.pk}/designs/pins/",
                             {"picks": [{"template": "text"}, {"template": "split", "variant": 1}]}, format="json")
    assert answer.status_code == 201 and len(answer.json()["pins"]) == 2
    other = make_article(project=make_project(tenant=make_tenant()))
    assert tenant_api.post(f"/api/articles/{other.pk}/designs/pins/", {"picks": [{"template": "text"}]},
                           format="json").status_code == 404
    stranger = api_client(make_user(make_tenant()))
    assert stranger.get(f"/api/projects/{article.project_id}/design-style/").status_code == 404
