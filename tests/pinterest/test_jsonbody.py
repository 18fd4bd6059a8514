"""``JsonBody``: a create body whose images are base64 read from their files while it is sent;
the bytes it gives are the JSON of the spelled-out payload, with the length it announced."""

import base64
import io
import json
import os

import pytest

from pinterest.client import PinterestClient
from pinterest.errors import PinterestError
from pinterest.jsonbody import _BLOCK, Base64File, JsonBody, has_files, materialized
from pinterest.multipart import FileSizeMismatch
from pinterest.payload import build_pin_create
from tests.factories import client_config, png_bytes


def stored(data: bytes) -> Base64File:
    return Base64File(lambda: io.BytesIO(data))


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, _BLOCK - 1, _BLOCK, _BLOCK + 1, 3 * _BLOCK + 2])
def test_the_body_is_the_json_of_the_payload_with_the_file_as_base64_and_its_announced_length(size):
    data = os.urandom(size)
    payload = {"board_id": "1", "title": "Soup \u00e9\U0001f372", "media_source": {"data": stored(data)}}

    with JsonBody(payload) as body:
        sent = body.read()

    assert len(sent) == len(body)
    assert json.loads(sent) == {**payload, "media_source": {"data": base64.b64encode(data).decode()}}
    assert json.loads(sent) == materialized(payload)


def test_several_files_read_in_small_pieces_give_the_same_bytes():
    files = [os.urandom(n) for n in (10, _BLOCK + 7, 2)]
    payload = {"items": [{"data": stored(data), "title": f"Item {n}"} for n, data in enumerate(files)]}

    with JsonBody(payload) as whole, JsonBody(payload) as pieces:
        assert b"".join(iter(lambda: pieces.read(1000), b"")) == whole.read()
    assert json.loads(whole.read() or JsonBody(payload).read()) == materialized(payload)
    assert has_files(payload) and not has_files(materialized(payload))


def test_a_text_that_looks_like_a_file_stays_text():
    payload = {"title": '"pinpublisher-file-0"', "media_source": {"data": stored(b"abc")}}
    with JsonBody(payload) as body:
        assert json.loads(body.read())["title"] == '"pinpublisher-file-0"'


class _Changed(io.BytesIO):
    """A file whose size, once taken (the end's ``tell``), is ``told``: it changed before being read."""

    def __init__(self, data, *, told):
        super().__init__(data)
        self._told = told

    def tell(self):
        position = super().tell()
        return self._told if position == len(self.getvalue()) else position


@pytest.mark.parametrize("told", [6, 2])
def test_a_file_that_changed_size_after_the_body_was_made_is_refused(told):
    body = JsonBody({"data": Base64File(lambda: _Changed(b"abcd", told=told))})
    with pytest.raises(FileSizeMismatch):
        body.read()


def test_create_pin_streams_a_stored_image_and_the_standin_gets_the_whole_body(standin):
    user = standin.create_user("streamer")
    access, _refresh = standin.issue_tokens(user)
    board_id = standin.add_board(user, "Soups")
    image = png_bytes(300, 400)
    payload = build_pin_create(board_id=board_id, title="Soup", image_bytes=stored(image))

    PinterestClient(client_config(), access).create_pin(payload)

    assert standin.created_count(board_id, body=materialized(payload)) == 1
    assert materialized(payload)["media_source"]["data"] == base64.b64encode(image).decode()


def test_create_pin_with_a_file_that_shrank_is_a_pinterest_error(standin):
    user = standin.create_user("shrinker")
    access, _refresh = standin.issue_tokens(user)
    board_id = standin.add_board(user, "Soups")
    image = png_bytes(300, 400)
    payload = build_pin_create(board_id=board_id, title="Soup",
                               image_bytes=Base64File(lambda: _Changed(image, told=len(image) + 10)))

    with pytest.raises(PinterestError, match="Could not send the pin's image"):
        PinterestClient(client_config(), access).create_pin(payload)
    assert standin.created_count(board_id) == 0
