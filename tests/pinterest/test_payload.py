"""build_pin_create: the PinCreate body, cut to Pinterest's limits, with the image in a form
Pinterest accepts."""

import base64
import io

import pytest
from PIL import Image

from pinterest.payload import PayloadError, build_pin_create
from tests.factories import png_bytes

BOARD = "549755885175"
URL = "https://blog.example.com/media/soup.jpg"


def image_bytes(fmt, mode="RGB", size=(64, 48)):
    color = {"RGB": (10, 120, 200), "RGBA": (10, 120, 200, 128), "P": 3}[mode]
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def decoded(media_source):
    data = base64.b64decode(media_source["data"])
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return data, image.format, image.mode, image.size


def test_builds_board_texts_link_and_image_url():
    payload = build_pin_create(
        board_id=BOARD,
        title="Pumpkin soup",
        description="Warm and easy.",
        alt_text="A bowl of orange soup",
        link="https://blog.example.com/soup",
        image_url=URL,
    )

    assert payload == {
        "board_id": BOARD,
        "title": "Pumpkin soup",
        "description": "Warm and easy.",
        "alt_text": "A bowl of orange soup",
        "link": "https://blog.example.com/soup",
        "media_source": {"source_type": "image_url", "url": URL},
    }


def test_empty_optional_fields_are_left_out():
    payload = build_pin_create(board_id=BOARD, title="", description="   ", alt_text=None, image_url=URL)

    assert set(payload) == {"board_id", "media_source"}


@pytest.mark.parametrize(("field", "limit"), [("title", 100), ("description", 800), ("alt_text", 500), ("link", 2048)])
def test_long_texts_are_cut_to_pinterest_limits(field, limit):
    text = "x" * (limit + 50)

    payload = build_pin_create(board_id=BOARD, image_url=URL, **{field: text})

    assert payload[field] == "x" * limit


def test_text_at_the_limit_is_kept_whole():
    payload = build_pin_create(board_id=BOARD, title="t" * 100, image_url=URL)

    assert payload["title"] == "t" * 100


def test_cut_counts_code_points_and_keeps_astral_characters_whole():
    title = "🍲" * 150

    payload = build_pin_create(board_id=BOARD, title=title, image_url=URL)

    assert payload["title"] == "🍲" * 100
    payload["title"].encode("utf-8")  # no lone surrogate: encodes cleanly


def test_a_surrogate_pair_given_as_two_code_points_is_never_split():
    # "\ud83c\udf72" is 🍲 as UTF-16 halves; a naive cut at 100 would keep only the first half.
    title = "a" * 99 + "\ud83c\udf72" + "tail"

    payload = build_pin_create(board_id=BOARD, title=title, image_url=URL)

    assert payload["title"] == "a" * 99 + "🍲"
    payload["title"].encode("utf-8")


def test_a_lone_surrogate_becomes_a_replacement_character():
    payload = build_pin_create(board_id=BOARD, title="soup \udc80 time", image_url=URL)

    assert payload["title"] == "soup \ufffd time"


@pytest.mark.parametrize("board_id", ["abc", "12a", "", " 123", "123\n", "١٢٣", 123, None])
def test_board_id_must_be_a_numeric_string(board_id):
    with pytest.raises(PayloadError) as caught:
        build_pin_create(board_id=board_id, image_url=URL)

    if board_id in ("", None):
        assert str(caught.value) == "Pin must have a Pinterest board assigned"
    else:
        assert str(caught.value) == f"Board id must be a numeric string, got {board_id!r}"


def test_bad_board_id_message_reads_well():
    with pytest.raises(PayloadError, match=r"^Board id must be a numeric string, got 'abc'$"):
        build_pin_create(board_id="abc", image_url=URL)


def test_pin_without_an_image_is_refused():
    with pytest.raises(PayloadError, match="^Pin must have an image$"):
        build_pin_create(board_id=BOARD, title="No picture")


@pytest.mark.parametrize("url", ["http://blog.example.com/a.jpg", "ftp://x/a.jpg", "/media/a.jpg", "https://"])
def test_image_url_must_be_https(url):
    with pytest.raises(PayloadError, match="https"):
        build_pin_create(board_id=BOARD, image_url=url)


def test_image_url_wins_over_image_bytes():
    payload = build_pin_create(board_id=BOARD, image_url=URL, image_bytes=png_bytes())

    assert payload["media_source"] == {"source_type": "image_url", "url": URL}


def test_png_bytes_are_sent_as_they_are():
    original = png_bytes()

    source = build_pin_create(board_id=BOARD, image_bytes=original)["media_source"]

    assert source["source_type"] == "image_base64"
    assert source["content_type"] == "image/png"
    assert base64.b64decode(source["data"]) == original


def test_jpeg_bytes_are_sent_as_they_are():
    original = image_bytes("JPEG")

    source = build_pin_create(board_id=BOARD, image_bytes=original)["media_source"]

    assert source["content_type"] == "image/jpeg"
    assert base64.b64decode(source["data"]) == original


def test_webp_photo_is_converted_to_jpeg():
    source = build_pin_create(board_id=BOARD, image_bytes=image_bytes("WEBP"))["media_source"]

    _data, fmt, _mode, size = decoded(source)
    assert (source["content_type"], fmt, size) == ("image/jpeg", "JPEG", (64, 48))


def test_webp_with_transparency_is_converted_to_png_keeping_alpha():
    source = build_pin_create(board_id=BOARD, image_bytes=image_bytes("WEBP", mode="RGBA"))["media_source"]

    _data, fmt, mode, _size = decoded(source)
    assert (source["content_type"], fmt, mode) == ("image/png", "PNG", "RGBA")


def test_gif_is_converted_to_png():
    source = build_pin_create(board_id=BOARD, image_bytes=image_bytes("GIF", mode="P"))["media_source"]

    _data, fmt, _mode, size = decoded(source)
    assert (source["content_type"], fmt, size) == ("image/png", "PNG", (64, 48))


def test_bytes_that_are_not_an_image_are_refused():
    with pytest.raises(PayloadError, match="could not be read"):
        build_pin_create(board_id=BOARD, image_bytes=b"definitely not a picture")


def test_truncated_png_is_refused():
    with pytest.raises(PayloadError, match="could not be read"):
        build_pin_create(board_id=BOARD, image_bytes=png_bytes()[:60])


def test_base64_data_matches_pinterest_pattern():
    source = build_pin_create(board_id=BOARD, image_bytes=png_bytes())["media_source"]

    assert set(source["data"]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
