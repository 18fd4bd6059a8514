"""What the client sends, and what the stand-in answers, checked against Pinterest's own
OpenAPI description (../shared/pinterest/openapi.json, API 5.23.0) with jsonschema.

OpenAPI 3.0 schemas are JSON Schema draft 4 plus ``nullable``; ``nullable: true`` is read
as "or null". A ``discriminator`` is followed to the schema it names, and a request may
carry only the properties that schema declares, so a misspelt field fails here even
though Pinterest's schemas allow additional properties.
"""

import functools
import hashlib
import json
import os
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import requests
from django.conf import settings
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from pinterest.client import PinterestClient
from pinterest.payload import build_pin_create
from pinterest.standin.validation import pin_create_problem
from tests.factories import client_config, png_bytes

from .conftest import API_BASE

# ../shared beside the checkout, or wherever PINTEREST_OPENAPI_JSON says (CI sets it when the
# clone lives elsewhere).
OPENAPI = Path(
    os.environ.get("PINTEREST_OPENAPI_JSON")
    or Path(settings.BASE_DIR).parent / "shared" / "pinterest" / "openapi.json"
)
URI = "urn:pinterest:openapi:v5"

pytestmark = pytest.mark.skipif(not OPENAPI.exists(), reason=f"Pinterest's OpenAPI description is not at {OPENAPI}")

# Documented in the text of POST /oauth/token, not in its schema: apps created before
# 2025-09-25 must send continuous_refresh=true to get the 60-day rolling refresh token.
DESCRIBED_NOT_DECLARED = {"continuous_refresh"}


def _nullable_as_json_schema(node):
    if isinstance(node, list):
        return [_nullable_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _nullable_as_json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False) is True:
        return {"anyOf": [{"type": "null"}, converted]}
    return converted


@functools.cache
def openapi() -> dict:
    return _nullable_as_json_schema(json.loads(OPENAPI.read_text()))


@functools.cache
def registry() -> Registry:
    return Registry().with_resource(URI, Resource.from_contents(openapi(), default_specification=DRAFT4))


def pointer(ref: str) -> dict:
    node = openapi()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schema_ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def errors_against(instance, ref: str) -> list[str]:
    """Every schema violation of ``instance`` against the schema at ``ref``, following a
    top-level discriminator to the schema it maps to."""
    validator = Draft4Validator({"$ref": f"{URI}{ref}"}, registry=registry())
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]
    mapping = pointer(ref).get("discriminator", {}).get("mapping", {})
    discriminator = pointer(ref).get("discriminator", {}).get("propertyName")
    if mapping and isinstance(instance, dict) and instance.get(discriminator) in mapping:
        problems += errors_against(instance, mapping[instance[discriminator]])
    return problems


def declared_properties(ref: str) -> set[str]:
    """The properties the schema at ``ref`` declares (through allOf, and the discriminator's
    target is added by ``undeclared``)."""
    schema = pointer(ref)
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        names |= declared_properties(part["$ref"]) if "$ref" in part else set(part.get("properties", {}))
    return names


def undeclared(instance: dict, ref: str) -> set[str]:
    names = declared_properties(ref)
    discriminator = pointer(ref).get("discriminator", {})
    target = discriminator.get("mapping", {}).get(instance.get(discriminator.get("propertyName")))
    if target:
        names |= declared_properties(target)
    return set(instance) - names - DESCRIBED_NOT_DECLARED


def request_schema_ref(path: str, method: str, content_type: str) -> str:
    return pointer(f"#/paths/{path.replace('/', '~1')}/{method}")["requestBody"]["content"][content_type]["schema"][
        "$ref"
    ]


def response_schema(path: str, method: str, status: str) -> str:
    return f"#/paths/{path.replace('/', '~1')}/{method}/responses/{status}/content/application~1json/schema"


def assert_conforms(instance, ref: str):
    assert errors_against(instance, ref) == []


# --- the machinery itself -------------------------------------------------------------


def test_the_schema_check_rejects_what_pinterest_would():
    ref = request_schema_ref("/pins", "post", "application/json")
    good = {"board_id": "1", "media_source": {"source_type": "image_url", "url": "https://x.example/a.jpg"}}

    assert errors_against(good, ref) == []
    assert errors_against({**good, "title": "t" * 101}, ref)
    assert errors_against({**good, "board_id": "abc"}, ref)
    assert errors_against({**good, "media_source": {"source_type": "image_base64", "data": "x"}}, ref)
    assert errors_against({**good, "title": None}, ref) == []  # nullable


# --- what the client sends ----------------------------------------------------------------


def sent_json(pinterest_api, payload):
    pinterest_api.add("POST", f"{API_BASE}/pins", status=201, json={"id": "1"})
    PinterestClient(client_config(), "pina_token").create_pin(payload)
    return json.loads(pinterest_api.calls[-1].request.body)


def sent_form(pinterest_api, call):
    pinterest_api.add("POST", f"{API_BASE}/oauth/token", json={"access_token": "pina_x"})
    call(PinterestClient(client_config()))
    return dict(parse_qsl(pinterest_api.calls[-1].request.body))


def test_pin_create_with_image_url_conforms_to_pin_create(pinterest_api):
    payload = build_pin_create(
        board_id="549755885175",
        title="Pumpkin soup " * 20,
        description="Warm 🍲 " * 200,
        alt_text="A bowl",
        link="https://blog.example.com/soup?utm=" + "x" * 3000,
        image_url="https://blog.example.com/soup.jpg",
    )
    body = sent_json(pinterest_api, payload)
    ref = request_schema_ref("/pins", "post", "application/json")

    assert_conforms(body, ref)
    assert undeclared(body, ref) == set()
    assert undeclared(body["media_source"], schema_ref("PinMediaSource")) == set()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_pin_create_with_image_base64_conforms_to_pin_create(pinterest_api, fmt):
    payload = build_pin_create(board_id="549755885175", title="🍲" * 120, image_bytes=png_bytes(fmt=fmt))
    body = sent_json(pinterest_api, payload)
    ref = request_schema_ref("/pins", "post", "application/json")

    assert_conforms(body, ref)
    assert undeclared(body, ref) == set()
    assert undeclared(body["media_source"], schema_ref("PinMediaSource")) == set()


@pytest.mark.parametrize("media", [
    pytest.param({"board_section_id": "5", "image_url": "https://blog.example.com/soup.jpg"}, id="section"),
    pytest.param({"carousel": [{"url": f"https://blog.example.com/{n}.jpg", "title": "Step " * 40,
                                "description": "Stir " * 300, "link": "https://blog.example.com/s"}
                               for n in range(5)]}, id="carousel-urls"),
    pytest.param({"carousel": [{"image_bytes": png_bytes(fmt=fmt), "title": "Step"}
                               for fmt in ("PNG", "WEBP")]}, id="carousel-uploads"),
    pytest.param({"video": {"media_id": "12345", "cover_key_frame_seconds": 3}}, id="video-key-frame"),
    pytest.param({"video": {"media_id": "12345", "cover_image_url": "https://blog.example.com/c.jpg"}},
                 id="video-cover-url"),
    pytest.param({"video": {"media_id": "12345", "cover_image_bytes": png_bytes(fmt="GIF")}},
                 id="video-cover-upload"),
])
def test_pin_create_of_every_kind_conforms_to_pin_create(pinterest_api, media):
    payload = build_pin_create(board_id="549755885175", title="Soup", link="https://blog.example.com/soup", **media)
    body = sent_json(pinterest_api, payload)
    ref = request_schema_ref("/pins", "post", "application/json")

    assert_conforms(body, ref)
    assert undeclared(body, ref) == set()
    assert undeclared(body["media_source"], schema_ref("PinMediaSource")) == set()
    for item in body["media_source"].get("items", []):
        assert len(item.get("title", "")) <= 100 and len(item.get("description", "")) <= 800


def test_code_exchange_form_conforms_to_oauth_token_request(pinterest_api, settings):
    settings.PINTEREST_APP_ID, settings.PINTEREST_APP_SECRET = "1234", "secret"
    form = sent_form(pinterest_api, lambda client: client.exchange_code("the-code"))
    ref = request_schema_ref("/oauth/token", "post", "application/x-www-form-urlencoded")

    assert_conforms(form, ref)
    assert undeclared(form, ref) == set()
    assert "continuous_refresh" in pointer("#/paths/~1oauth~1token/post")["description"]


def test_refresh_form_conforms_to_oauth_token_request(pinterest_api, settings):
    settings.PINTEREST_APP_ID, settings.PINTEREST_APP_SECRET = "1234", "secret"
    form = sent_form(pinterest_api, lambda client: client.refresh_access_token("pinr_old"))
    ref = request_schema_ref("/oauth/token", "post", "application/x-www-form-urlencoded")

    assert_conforms(form, ref)
    assert undeclared(form, ref) - {"continuous_refresh"} == set()
    assert "continuous_refresh" not in form


def test_list_requests_use_page_sizes_pinterest_allows(pinterest_api):
    pinterest_api.add("GET", f"{API_BASE}/boards", json={"items": [], "bookmark": None})
    pinterest_api.add("GET", f"{API_BASE}/boards/77/pins", json={"items": [], "bookmark": None})
    client = PinterestClient(client_config(), "pina_token")
    client.list_boards()
    client.list_board_pins("77")

    limits = [
        pointer("#/components/parameters/Pinterest.Lib.BookmarkParams.page_size")["schema"],
        pointer("#/components/parameters/query_page_size")["schema"],
    ]
    for call, limit in zip(pinterest_api.calls, limits, strict=True):
        page_size = int(dict(parse_qsl(call.request.url.split("?", 1)[1]))["page_size"])
        assert limit["minimum"] <= page_size <= limit["maximum"]


# --- what the stand-in answers -------------------------------------------------------------

BAD_BODIES = [
    {"media_source": {"source_type": "image_url", "url": "https://x.example/a.jpg"}, "board_id": "12a"},
    {"board_id": "1", "title": "t" * 101, "media_source": {"source_type": "image_url", "url": "https://x.example/"}},
    {"board_id": "1", "description": 5, "media_source": {"source_type": "image_url", "url": "https://x.example/"}},
    {"board_id": "1", "media_source": {"source_type": "image_url"}},
    {"board_id": "1", "media_source": {"source_type": "image_base64", "content_type": "image/gif", "data": "AA=="}},
    {"board_id": "1", "media_source": {"source_type": "image_base64", "content_type": "image/png", "data": "a b"}},
    {"board_id": "1", "media_source": {"source_type": "carrier_pigeon"}},
    {"board_id": "1", "board_section_id": "x", "media_source": {"source_type": "image_url", "url": "https://x/"}},
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_stand_in_refuses_the_bodies_the_schema_refuses(body):
    assert errors_against(body, request_schema_ref("/pins", "post", "application/json"))
    assert pin_create_problem(body)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_stand_in_answers_conform_to_pinterest_response_schemas(standin):
    user = standin.create_user("soupblog")
    access, refresh = standin.issue_tokens(user)
    board_id = standin.add_board(user, "Soups")
    payload = build_pin_create(board_id=board_id, title="Soup", image_bytes=png_bytes())

    created = requests.post(f"{standin.api_base}/pins", json=payload, headers=bearer(access), timeout=5)
    boards = requests.get(f"{standin.api_base}/boards", headers=bearer(access), timeout=5)
    pins = requests.get(f"{standin.api_base}/boards/{board_id}/pins", headers=bearer(access), timeout=5)
    account = requests.get(f"{standin.api_base}/user_account", headers=bearer(access), timeout=5)
    missing = requests.get(f"{standin.api_base}/boards/1/pins", headers=bearer(access), timeout=5)

    assert created.status_code == 201
    assert_conforms(created.json(), response_schema("/pins", "post", "201"))
    assert_conforms(boards.json(), response_schema("/boards", "get", "200"))
    assert_conforms(pins.json(), response_schema("/boards/{board_id}/pins", "get", "200"))
    assert_conforms(account.json(), response_schema("/user_account", "get", "200"))
    assert missing.status_code == 404
    assert_conforms(missing.json(), response_schema("/boards/{board_id}/pins", "get", "404"))


def test_stand_in_token_answers_conform_to_oauth_token_response(standin, settings):
    user = standin.create_user("soupblog")
    _access, refresh = standin.issue_tokens(user)

    answer = requests.post(
        f"{standin.api_base}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh},
        auth=(settings.PINTEREST_APP_ID, settings.PINTEREST_APP_SECRET),
        timeout=5,
    ).json()

    assert answer["response_type"] == "refresh_token"
    assert_conforms(answer, schema_ref("OauthAccessTokenResponse"))
    assert_conforms(answer, schema_ref("OauthAccessTokenResponseRefresh"))


def test_stand_in_error_answers_conform_to_error(standin):
    answer = requests.get(f"{standin.api_base}/user_account", headers=bearer("pina_unknown"), timeout=5)

    assert answer.status_code == 401
    assert_conforms(answer.json(), schema_ref("Error"))


def test_openapi_copy_is_the_one_provenance_names():
    digest = hashlib.sha256(OPENAPI.read_bytes()).hexdigest()
    assert digest == "537bde5a50b181d653840bed4fb4735d753b5be4ce98bc8192de258cee67b142"
