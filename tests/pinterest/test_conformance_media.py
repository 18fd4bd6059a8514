"""Board sections, media and the new kinds of pin checked against Pinterest's OpenAPI (the
machinery is in test_conformance.py): what the client sends, what the stand-in accepts
and refuses, and what it answers."""

import base64
import io
import json
from urllib.parse import parse_qsl

import pytest
import requests

from pinterest.client import PinterestClient
from pinterest.standin.validation import pin_create_problem
from tests.factories import client_config, png_bytes

from .conftest import API_BASE
from .test_conformance import (
    OPENAPI,
    assert_conforms,
    declared_properties,
    errors_against,
    pointer,
    request_schema_ref,
    response_schema,
    schema_ref,
    undeclared,
)

pytestmark = pytest.mark.skipif(not OPENAPI.exists(), reason=f"Pinterest's OpenAPI description is not at {OPENAPI}")

PIN_CREATE = "#/paths/~1pins/post/requestBody/content/application~1json/schema"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def b64(data):
    return base64.b64encode(data).decode()


def carousel_urls(n=3):
    return {
        "source_type": "multiple_image_urls",
        "items": [
            {"url": f"https://blog.example.com/step{i}.jpg", "title": f"Step {i}", "description": "Stir.", "link": ""}
            for i in range(1, n + 1)
        ],
        "index": 0,
    }


def carousel_base64(n=2):
    return {
        "source_type": "multiple_image_base64",
        "items": [
            {"content_type": "image/png", "data": b64(png_bytes(300, 400)), "title": f"Step {i}"}
            for i in range(1, n + 1)
        ],
    }


def video(media_id, **cover):
    return {"source_type": "video_id", "media_id": media_id, **cover}


def upload_small_video(client, media):
    client.upload_media(
        upload_url=media["upload_url"],
        upload_parameters=media["upload_parameters"],
        file=io.BytesIO(b"video"),
        filename="a.mp4",
        content_type="video/mp4",
        size=5,
    )


def assert_pin_create_conforms(body):
    ref = request_schema_ref("/pins", "post", "application/json")
    assert_conforms(body, ref)
    assert undeclared(body, ref) == set()
    source = body["media_source"]
    assert undeclared(source, schema_ref("PinMediaSource")) == set()
    item_schema = {
        "multiple_image_urls": "PinMediaSourceImagesURLItem",
        "multiple_image_base64": "PinMediaSourceImagesBase64Item",
    }.get(source["source_type"])
    for item in source.get("items", []) if item_schema else []:
        assert set(item) - declared_properties(schema_ref(item_schema)) == set()


# --- what the client sends ---------------------------------------------------------------


def test_register_media_body_conforms_to_media_upload_create(pinterest_api):
    pinterest_api.add(
        "POST",
        f"{API_BASE}/media",
        json={"media_id": "1", "media_type": "video", "upload_url": "https://s3.example/"},
    )
    PinterestClient(client_config(), "pina_token").register_media()
    body = json.loads(pinterest_api.calls[-1].request.body)
    ref = request_schema_ref("/media", "post", "application/json")

    assert_conforms(body, ref)
    assert undeclared(body, ref) == set()


def test_section_listing_uses_a_page_size_pinterest_allows(pinterest_api):
    pinterest_api.add("GET", f"{API_BASE}/boards/77/sections", json={"items": [], "bookmark": None})
    PinterestClient(client_config(), "pina_token").list_board_sections("77")

    declared = {p["$ref"] for p in pointer("#/paths/~1boards~1{board_id}~1sections/get")["parameters"]}
    limit = pointer("#/components/parameters/query_page_size")["schema"]
    page_size = int(dict(parse_qsl(pinterest_api.calls[0].request.url.split("?", 1)[1]))["page_size"])
    assert "#/components/parameters/query_page_size" in declared
    assert limit["minimum"] <= page_size <= limit["maximum"]


# --- the new kinds of pin: the schema and the stand-in agree ----------------------------------

GOOD_BODIES = {
    "section": {
        "board_id": "1",
        "board_section_id": "2",
        "media_source": {"source_type": "image_url", "url": "https://x.example/a.jpg"},
    },
    "carousel of URLs": {"board_id": "1", "title": "Soup", "media_source": carousel_urls(5)},
    "carousel of base64 images": {"board_id": "1", "media_source": carousel_base64(2)},
    "video with a key frame cover": {"board_id": "1", "media_source": video("3", cover_image_key_frame_time=0)},
    "video with an image cover": {
        "board_id": "1",
        "media_source": video("3", cover_image_content_type="image/jpeg", cover_image_data=b64(png_bytes(fmt="JPEG"))),
    },
    "video with a cover URL": {"board_id": "1", "media_source": video("3", cover_image_url="https://x.example/c.jpg")},
}


@pytest.mark.parametrize("body", GOOD_BODIES.values(), ids=GOOD_BODIES.keys())
def test_stand_in_accepts_the_bodies_the_schema_accepts(body):
    assert_pin_create_conforms(body)
    assert pin_create_problem(body) is None


BAD_BODIES = {
    "carousel of one": {"board_id": "1", "media_source": carousel_urls(1)},
    "carousel of six": {"board_id": "1", "media_source": carousel_urls(6)},
    "carousel item without url": {
        "board_id": "1",
        "media_source": {"source_type": "multiple_image_urls", "items": [{"title": "a"}, {"url": "https://x/"}]},
    },
    "carousel item title not a string": {
        "board_id": "1",
        "media_source": {
            "source_type": "multiple_image_urls",
            "items": [{"url": "https://x/a", "title": 5}, {"url": "https://x/b"}],
        },
    },
    "carousel negative index": {"board_id": "1", "media_source": {**carousel_urls(2), "index": -1}},
    "base64 carousel of gifs": {
        "board_id": "1",
        "media_source": {
            "source_type": "multiple_image_base64",
            "items": [{"content_type": "image/gif", "data": "AAAA"}, {"content_type": "image/gif", "data": "AAAA"}],
        },
    },
    "video without media_id": {"board_id": "1", "media_source": {"source_type": "video_id"}},
    "video media_id not digits": {"board_id": "1", "media_source": video("abc")},
    "video negative key frame": {"board_id": "1", "media_source": video("3", cover_image_key_frame_time=-1)},
    "video cover of another type": {
        "board_id": "1",
        "media_source": video("3", cover_image_content_type="image/webp", cover_image_data="AAAA"),
    },
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_stand_in_refuses_the_new_bodies_the_schema_refuses(body):
    assert errors_against(body, PIN_CREATE)
    assert pin_create_problem(body)


# --- what the stand-in answers -------------------------------------------------------------


@pytest.fixture
def account(standin):
    user = standin.create_user("soupblog")
    access, _refresh = standin.issue_tokens(user)
    board_id = standin.add_board(user, "Soups")
    return access, board_id


def test_stand_in_section_listing_conforms(standin, account):
    access, board_id = account
    for name in ("Soups", "Stews", "Broths"):
        standin.add_board_section(board_id, name)

    first = requests.get(
        f"{standin.api_base}/boards/{board_id}/sections", params={"page_size": 2}, headers=bearer(access), timeout=5
    )
    missing = requests.get(f"{standin.api_base}/boards/1/sections", headers=bearer(access), timeout=5)

    schema = response_schema("/boards/{board_id}/sections", "get", "200")
    assert_conforms(first.json(), schema)
    assert first.json()["bookmark"]
    for item in first.json()["items"]:
        assert_conforms(item, schema_ref("BoardSection"))
        assert set(item) <= declared_properties(schema_ref("BoardSection"))
    assert missing.status_code == 404
    assert_conforms(missing.json(), response_schema("/boards/{board_id}/sections", "get", "default"))


def test_stand_in_media_answers_conform(standin, account):
    access, _board_id = account

    registered = requests.post(
        f"{standin.api_base}/media", json={"media_type": "video"}, headers=bearer(access), timeout=5
    )
    media = registered.json()
    status_before = requests.get(f"{standin.api_base}/media/{media['media_id']}", headers=bearer(access), timeout=5)
    upload_small_video(PinterestClient(client_config(), access), media)
    status_after = requests.get(f"{standin.api_base}/media/{media['media_id']}", headers=bearer(access), timeout=5)
    refused = requests.post(f"{standin.api_base}/media", json={"media_type": "gif"}, headers=bearer(access), timeout=5)
    missing = requests.get(f"{standin.api_base}/media/12345", headers=bearer(access), timeout=5)

    assert registered.status_code == 201
    assert_conforms(media, response_schema("/media", "post", "201"))
    assert set(media) <= declared_properties(schema_ref("MediaUpload"))
    assert set(media["upload_parameters"]) == declared_properties(schema_ref("MediaUploadParameters"))
    for answer, status in ((status_before, "registered"), (status_after, "succeeded")):
        assert_conforms(answer.json(), response_schema("/media/{media_id}", "get", "200"))
        assert set(answer.json()) <= declared_properties(schema_ref("Media"))
        assert answer.json()["status"] == status
    assert refused.status_code == 400
    assert_conforms(refused.json(), response_schema("/media", "post", "400"))
    assert missing.status_code == 404
    assert_conforms(missing.json(), response_schema("/media/{media_id}", "get", "404"))


def test_stand_in_creates_section_carousel_and_video_pins_that_conform(standin, account):
    access, board_id = account
    client = PinterestClient(client_config(), access)
    section_id = standin.add_board_section(board_id, "Soups")
    media = client.register_media()
    upload_small_video(client, media)
    bodies = [
        {**GOOD_BODIES["section"], "board_id": board_id, "board_section_id": section_id},
        {"board_id": board_id, "media_source": carousel_urls(3)},
        {"board_id": board_id, "media_source": carousel_base64(2)},
        {"board_id": board_id, "media_source": video(media["media_id"], cover_image_key_frame_time=2)},
    ]

    for body in bodies:
        assert_pin_create_conforms(body)
        answer = requests.post(f"{standin.api_base}/pins", json=body, headers=bearer(access), timeout=5)
        assert answer.status_code == 201, answer.text
        assert_conforms(answer.json(), response_schema("/pins", "post", "201"))

    kinds = [(c.media_kind, c.item_count, c.media_id, c.board_section_id) for c in standin.creations]
    assert kinds == [
        ("image", 1, None, section_id),
        ("carousel", 3, None, None),
        ("carousel", 2, None, None),
        ("video", 1, media["media_id"], None),
    ]
