"""Pinterest's limits (``pinterest.limits``) are the numbers its OpenAPI description states, and
every app reads them from there: the create-pin body cuts at them and the model and serializer
lengths that mirror them are the same numbers."""

import json

import pytest

from pinterest import limits
from publishing.models import BlogArticle, CarouselItem, Pin
from publishing.rules import CAROUSEL_TEXT_MAX, PINTEREST_TEXT_LIMITS, URL_MAX

from .test_conformance import OPENAPI


@pytest.mark.skipif(not OPENAPI.exists(), reason=f"Pinterest's OpenAPI description is not at {OPENAPI}")
def test_each_limit_is_the_number_pinterests_openapi_states():
    schemas = json.loads(OPENAPI.read_text())["components"]["schemas"]
    for schema in ("PinCreate", "Pin", "PinUpdate"):
        properties = schemas[schema]["properties"]
        assert properties["title"]["maxLength"] == limits.TITLE_MAX
        assert properties["description"]["maxLength"] == limits.DESCRIPTION_MAX
        assert properties["alt_text"]["maxLength"] == limits.ALT_TEXT_MAX
        assert properties["link"]["maxLength"] == limits.LINK_MAX
    for schema in ("PinMediaSourceImagesURL", "PinMediaSourceImagesBase64"):
        items = schemas[schema]["properties"]["items"]
        assert (items["minItems"], items["maxItems"]) == (limits.CAROUSEL_MIN, limits.CAROUSEL_MAX)


def test_the_rules_and_the_url_columns_take_their_lengths_from_pinterests_limits():
    assert PINTEREST_TEXT_LIMITS == {"title": 100, "description": 800, "alt_text": 500}
    assert URL_MAX == limits.LINK_MAX == 2048
    for model, field in ((Pin, "image_url"), (Pin, "cover_image_url"), (CarouselItem, "image_url"),
                         (CarouselItem, "link"), (BlogArticle, "url")):
        assert model._meta.get_field(field).max_length == limits.LINK_MAX
    assert CAROUSEL_TEXT_MAX["title"] == CarouselItem._meta.get_field("title").max_length == 500
