"""The client end to end against the running stand-in for board sections, the media flow
(register, streamed upload, processing) and pins with a section, a carousel or a video."""

import base64
import hashlib
import io
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from pinterest.client import PinterestClient
from pinterest.errors import (
    PinterestAuthError,
    PinterestBadRequest,
    PinterestError,
    PinterestNotFound,
    PinterestUnavailable,
    PinterestUploadRefused,
)
from tests.factories import client_config, png_bytes


@pytest.fixture
def account(standin):
    user = standin.create_user("soupblog")
    access, _refresh = standin.issue_tokens(user)
    board_id = standin.add_board(user, "Soups")
    return user, board_id, PinterestClient(client_config(), access)


def other_account(standin):
    user = standin.create_user("elsewhere")
    access, _refresh = standin.issue_tokens(user)
    return user, PinterestClient(client_config(), access)


def upload(client, media, data, **overrides):
    arguments = {
        "upload_url": media["upload_url"],
        "upload_parameters": media["upload_parameters"],
        "file": io.BytesIO(data),
        "filename": "soup.mp4",
        "content_type": "video/mp4",
        "size": len(data),
        **overrides,
    }
    client.upload_media(**arguments)


def uploaded_video(standin, client, data=b"\x00\x00\x00\x18ftypmp42" + b"v" * 5000):
    media = client.register_media()
    upload(client, media, data)
    return media["media_id"]


def b64(data):
    return base64.b64encode(data).decode()


def carousel_base64(*sizes):
    return {
        "source_type": "multiple_image_base64",
        "items": [
            {"content_type": "image/png", "data": b64(png_bytes(w, h)), "title": f"Step {n}"}
            for n, (w, h) in enumerate(sizes, 1)
        ],
    }


# --- board sections -------------------------------------------------------------------------


def test_sections_are_listed_across_pages_in_order(account, standin):
    _user, board_id, client = account
    ids = [standin.add_board_section(board_id, f"Section {n}") for n in range(1, 8)]

    pages = list(client.iter_board_sections(board_id, page_size=3))

    assert pages == [{"id": i, "name": f"Section {n}"} for n, i in enumerate(ids, 1)]
    assert all(i.isdigit() for i in ids)
    assert len([c for c in standin.calls if c.endpoint == "list_board_sections"]) == 3


def test_a_board_without_sections_lists_none(account):
    _user, board_id, client = account

    assert client.list_board_sections(board_id) == []


def test_renamed_and_deleted_sections_show_on_the_next_listing(account, standin):
    _user, board_id, client = account
    keep = standin.add_board_section(board_id, "Soups")
    gone = standin.add_board_section(board_id, "Stews")

    standin.rename_board_section(keep, "Broths")
    standin.delete_board_section(gone)

    assert client.list_board_sections(board_id) == [{"id": keep, "name": "Broths"}]


def test_sections_of_an_unknown_or_another_users_board_are_404_code_40(account, standin):
    _user, _board_id, client = account
    stranger, _client = other_account(standin)
    foreign = standin.add_board(stranger, "Theirs")
    standin.add_board_section(foreign, "Private")

    for board_id in ("1", foreign):
        with pytest.raises(PinterestNotFound) as caught:
            client.list_board_sections(board_id)
        assert caught.value.pinterest_code == 40


def test_removing_a_board_removes_its_sections(account, standin):
    _user, board_id, _client = account
    standin.add_board_section(board_id, "Soups")

    standin.remove_board(board_id)

    assert standin.board_sections(board_id) == []
    assert standin.snapshot()["sections"] == []


@pytest.mark.parametrize("name", ["", "x" * 181, 5])
def test_a_section_name_outside_pinterests_limits_is_refused(account, standin, name):
    _user, board_id, _client = account

    with pytest.raises(ValueError, match="1 to 180"):
        standin.add_board_section(board_id, name)


def test_listing_sections_needs_boards_read(account, standin):
    user, board_id, _client = account
    access, _refresh = standin.issue_tokens(user, scope="pins:read")

    with pytest.raises(PinterestAuthError):
        PinterestClient(client_config(), access).list_board_sections(board_id)


def test_a_listing_fault_fails_the_sync_instead_of_giving_part_of_the_list(account, standin):
    _user, board_id, client = account
    for n in range(5):
        standin.add_board_section(board_id, f"S{n}")
    standin.fail_next("503", endpoint="list_board_sections")

    with pytest.raises(PinterestUnavailable):
        client.list_board_sections(board_id)

    assert len(client.list_board_sections(board_id)) == 5


def test_seeded_demo_recipes_board_has_two_sections_once(standin):
    user = standin.seed_demo()
    standin.seed_demo()

    recipes = next(b for b in standin.boards(user) if b.name == "Recipes")
    assert [s.name for s in standin.board_sections(recipes.id)] == ["Soups", "Desserts"]


def test_sections_are_managed_over_the_control_endpoint(account, standin):
    _user, board_id, client = account

    added = requests.post(
        standin.control_url, json={"action": "add_board_section", "board_id": board_id, "name": "Soups"}, timeout=5
    ).json()["result"]
    requests.post(
        standin.control_url,
        json=[
            {"action": "rename_board_section", "section_id": added, "name": "Broths"},
            {"action": "add_board_section", "board_id": board_id, "name": "Stews"},
        ],
        timeout=5,
    ).raise_for_status()
    unknown = requests.post(standin.control_url, json={"action": "delete_board_section", "section_id": "1"}, timeout=5)

    assert [s["name"] for s in client.list_board_sections(board_id)] == ["Broths", "Stews"]
    assert unknown.status_code == 400 and "No stand-in board section" in unknown.json()["message"]


# --- media ----------------------------------------------------------------------------------


class StandinClock:
    """The stand-in's ``time`` module with a clock the test moves (no sleeping, no race with a
    loaded machine): ``time()`` is ``now``."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now

    def __getattr__(self, name):  # the rest of the time module (strftime, ...) as it is
        return getattr(time, name)


def test_media_goes_registered_then_processing_then_succeeded(account, standin, monkeypatch):
    _user, _board_id, client = account
    clock = StandinClock(time.time())
    monkeypatch.setattr("pinterest.standin.state.time", clock)
    monkeypatch.setattr("pinterest.standin.api.time", clock)
    standin.set_media_processing_seconds(0.3)
    media = client.register_media()
    data = b"video" * 1000

    registered = client.get_media(media["media_id"])
    upload(client, media, data)
    clock.now += 0.29
    processing = client.get_media(media["media_id"])
    clock.now += 0.02
    succeeded = client.get_media(media["media_id"])

    assert media["media_type"] == "video"
    assert media["upload_url"] == f"{standin.base_url}/_standin/media-upload/{media['media_id']}"
    assert [registered["status"], processing["status"], succeeded["status"]] == [
        "registered",
        "processing",
        "succeeded",
    ]
    stored = standin.media(media["media_id"])
    assert (stored.size, stored.sha256, stored.filename, stored.upload_count) == (
        len(data),
        hashlib.sha256(data).hexdigest(),
        "soup.mp4",
        1,
    )


def test_the_test_fixture_processes_uploads_at_once(account, standin):
    _user, _board_id, client = account

    media_id = uploaded_video(standin, client)

    assert client.get_media(media_id)["status"] == "succeeded"


def test_register_media_hands_out_every_s3_upload_parameter(account):
    _user, _board_id, client = account

    media = client.register_media()

    assert set(media["upload_parameters"]) == {
        "Content-Type",
        "key",
        "policy",
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-signature",
    }
    assert media["media_id"].isdigit()


def test_register_media_of_another_type_is_400(account, standin):
    _user, _board_id, client = account

    with pytest.raises(PinterestBadRequest, match="media_type: must be 'video'"):
        client.register_media(media_type="image")


def test_media_of_another_user_or_unknown_is_404(account, standin):
    _user, _board_id, client = account
    _stranger, their_client = other_account(standin)
    theirs = their_client.register_media()["media_id"]

    for media_id in (theirs, "123"):
        with pytest.raises(PinterestNotFound):
            client.get_media(media_id)


def test_an_upload_missing_a_parameter_is_400_with_s3s_error_naming_it(account, standin):
    _user, _board_id, client = account
    media = client.register_media()
    parameters = {k: v for k, v in media["upload_parameters"].items() if k != "x-amz-signature"}

    with pytest.raises(PinterestUploadRefused) as caught:
        upload(client, media, b"video", upload_parameters=parameters)

    assert caught.value.status_code == 400
    assert "InvalidArgument" in str(caught.value) and "'x-amz-signature'" in str(caught.value)
    assert client.get_media(media["media_id"])["status"] == "registered"


def test_an_upload_with_a_changed_parameter_is_403_access_denied(account, standin):
    _user, _board_id, client = account
    media = client.register_media()
    parameters = {**media["upload_parameters"], "key": "uploads/elsewhere"}

    with pytest.raises(PinterestUploadRefused, match="AccessDenied"):
        upload(client, media, b"video", upload_parameters=parameters)


def test_an_upload_without_a_file_part_is_400(account, standin):
    media = account[2].register_media()

    fields_only = {name: (None, value) for name, value in media["upload_parameters"].items()}

    answer = requests.post(media["upload_url"], files=fields_only, timeout=5)

    assert answer.status_code == 400
    assert "<ArgumentName>file</ArgumentName>" in answer.text


def test_an_upload_sent_chunked_is_refused_for_its_missing_content_length(account, standin):
    media = account[2].register_media()

    answer = requests.post(media["upload_url"], data=iter([b"--x\r\n", b"body"]), timeout=5)

    assert answer.status_code == 411
    assert "MissingContentLength" in answer.text


def test_a_body_that_is_not_multipart_is_400_malformed(account, standin):
    media = account[2].register_media()

    answer = requests.post(media["upload_url"], data=b"just bytes", timeout=5)

    assert answer.status_code == 400 and "MalformedPOSTRequest" in answer.text


@pytest.mark.parametrize(
    ("status", "error_class", "code"),
    [(403, PinterestUploadRefused, "AccessDenied"), (503, PinterestUnavailable, "SlowDown")],
)
def test_a_queued_upload_fault_refuses_the_next_upload_only(account, standin, status, error_class, code):
    _user, _board_id, client = account
    media = client.register_media()
    standin.fail_next_upload(status)

    with pytest.raises(error_class, match=code):
        upload(client, media, b"video")
    assert client.get_media(media["media_id"])["status"] == "registered"
    upload(client, media, b"video")

    assert client.get_media(media["media_id"])["status"] == "succeeded"
    assert [c.status for c in standin.calls if c.endpoint == "media_upload"] == [status, 204]


def test_a_dropped_upload_is_an_unknown_outcome_and_stores_nothing(account, standin):
    _user, _board_id, client = account
    media = client.register_media()
    standin.fail_next_upload("drop")

    with pytest.raises(PinterestUnavailable) as caught:
        upload(client, media, b"video" * 100)

    assert caught.value.outcome_unknown
    assert standin.media(media["media_id"]).upload_count == 0


def test_a_queued_processing_failure_ends_the_media_failed(account, standin):
    _user, _board_id, client = account
    standin.fail_next_media_processing("The video is too short (minimum 4 seconds).")

    failed = uploaded_video(standin, client)
    fine = uploaded_video(standin, client)

    assert client.get_media(failed)["status"] == "failed"
    assert client.get_media(fine)["status"] == "succeeded"
    assert standin.media(failed).failure_reason == "The video is too short (minimum 4 seconds)."


def test_media_faults_are_set_over_the_control_endpoint(account, standin):
    _user, _board_id, client = account
    requests.post(
        standin.control_url,
        json=[
            {"action": "set_media_processing_seconds", "seconds": 0},
            {"action": "fail_next_upload", "status": 500},
            {"action": "fail_next_media_processing", "reason": "Unsupported codec."},
        ],
        timeout=5,
    ).raise_for_status()
    media = client.register_media()

    with pytest.raises(PinterestUnavailable, match="InternalError"):
        upload(client, media, b"video")
    upload(client, media, b"video")

    assert client.get_media(media["media_id"])["status"] == "failed"
    assert standin.snapshot()["media"][0]["failure_reason"] == "Unsupported codec."


@pytest.mark.parametrize("bad", [{"status": 200}, {"status": "soon"}])
def test_an_upload_fault_must_be_an_error_status_or_drop(standin, bad):
    answer = requests.post(standin.control_url, json={"action": "fail_next_upload", **bad}, timeout=5)

    assert answer.status_code == 400


def test_register_and_get_media_take_queued_faults(account, standin):
    _user, _board_id, client = account
    standin.fail_next("429", endpoint="register_media")
    standin.fail_next("503", endpoint="get_media")

    with pytest.raises(PinterestError) as registered:
        client.register_media()
    media = client.register_media()
    with pytest.raises(PinterestUnavailable):
        client.get_media(media["media_id"])

    assert registered.value.status_code == 429
    assert client.get_media(media["media_id"])["status"] == "registered"


def test_a_large_upload_streams_through_the_stand_in(account, standin):
    _user, _board_id, client = account
    media = client.register_media()
    size = 64 * 1024 * 1024 + 5  # more than any buffer on either side
    block = bytes(range(256)) * 4096

    class Endless(io.RawIOBase):
        """``size`` bytes made on the fly: the test holds none of it."""

        def __init__(self):
            self.left = size
            self.hash = hashlib.sha256()

        def readable(self):
            return True

        def read(self, n=-1):
            n = self.left if n is None or n < 0 else min(n, self.left)
            data = (block * (n // len(block) + 1))[:n]
            self.left -= n
            self.hash.update(data)
            return data

    file = Endless()
    client.upload_media(
        upload_url=media["upload_url"],
        upload_parameters=media["upload_parameters"],
        file=file,
        filename="big.mp4",
        content_type="video/mp4",
        size=size,
    )

    stored = standin.media(media["media_id"])
    assert stored.size == size
    assert stored.sha256 == file.hash.hexdigest()


def test_an_upload_cut_off_midway_stores_nothing_and_the_stand_in_keeps_serving(account, standin):
    _user, _board_id, client = account
    media = client.register_media()
    head = (
        b'--b\r\nContent-Disposition: form-data; name="key"\r\n\r\n'
        + media["upload_parameters"]["key"].encode()
        + b"\r\n"
    )
    with socket.create_connection((standin.host, standin.port), timeout=5) as connection:
        connection.sendall(
            b"POST /_standin/media-upload/" + media["media_id"].encode() + b" HTTP/1.1\r\n"
            b"Host: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n" + head
        )

    assert client.get_media(media["media_id"])["status"] == "registered"
    upload(client, media, b"video")
    assert standin.media(media["media_id"]).upload_count == 1


# --- creating pins with a section, a carousel or a video -----------------------------------


def test_pin_in_a_section_of_its_board_is_created_with_it(account, standin):
    _user, board_id, client = account
    section = standin.add_board_section(board_id, "Soups")

    pin = client.create_pin(
        {
            "board_id": board_id,
            "board_section_id": section,
            "media_source": {"source_type": "image_url", "url": "https://blog.example.com/a.jpg"},
        }
    )

    assert pin["board_section_id"] == section
    assert standin.creations[-1].board_section_id == section


def test_pin_naming_a_section_of_another_board_or_a_deleted_one_is_400_and_not_created(account, standin):
    user, board_id, client = account
    other_board = standin.add_board(user, "Salads")
    elsewhere = standin.add_board_section(other_board, "Green")
    deleted = standin.add_board_section(board_id, "Old")
    standin.delete_board_section(deleted)

    for section in (elsewhere, deleted):
        with pytest.raises(PinterestBadRequest, match="board_section_id"):
            client.create_pin(
                {
                    "board_id": board_id,
                    "board_section_id": section,
                    "media_source": {"source_type": "image_url", "url": "https://blog.example.com/a.jpg"},
                }
            )

    assert standin.created_count() == 0


def test_carousel_of_base64_images_is_created_and_recorded_with_its_item_count(account, standin):
    _user, board_id, client = account

    pin = client.create_pin({"board_id": board_id, "media_source": carousel_base64((300, 400), (300, 400), (300, 400))})

    creation = standin.creations[-1]
    assert (creation.media_kind, creation.item_count, creation.pin_id) == ("carousel", 3, pin["id"])
    assert pin["media"]["media_type"] == "multiple_images"
    assert [item["title"] for item in pin["media"]["items"]] == ["Step 1", "Step 2", "Step 3"]
    assert pin["creative_type"] == "CAROUSEL"


def test_carousel_of_mixed_dimensions_is_400_naming_the_odd_image(account, standin):
    _user, board_id, client = account

    with pytest.raises(PinterestBadRequest) as caught:
        client.create_pin({"board_id": board_id, "media_source": carousel_base64((300, 400), (300, 400), (400, 300))})

    assert "media_source.items[2]: is 400x300 but media_source.items[0] is 300x400" in caught.value.message
    assert standin.created_count() == 0


@pytest.mark.parametrize("count", [1, 6])
def test_carousel_with_fewer_than_2_or_more_than_5_images_is_400(account, standin, count):
    _user, board_id, client = account

    with pytest.raises(PinterestBadRequest, match=f"2 to 5 images \\({count} items\\)"):
        client.create_pin({"board_id": board_id, "media_source": carousel_base64(*[(300, 300)] * count)})


class _ImageServer:
    """A local HTTP server answering /<w>x<h>.png with a PNG of that size."""

    def __enter__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                try:
                    width, height = (int(n) for n in self.path.strip("/").removesuffix(".png").split("x"))
                except ValueError:
                    self.send_error(404)
                    return
                data = png_bytes(width, height)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return f"http://localhost:{self.server.server_address[1]}"

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


def carousel_urls(*urls):
    return {
        "source_type": "multiple_image_urls",
        "items": [{"url": url, "link": "https://blog.example.com/"} for url in urls],
    }


def test_carousel_of_local_urls_is_measured_and_mixed_sizes_are_refused(account, standin):
    _user, board_id, client = account
    with _ImageServer() as images:
        pin = client.create_pin(
            {"board_id": board_id, "media_source": carousel_urls(f"{images}/500x500.png", f"{images}/500x500.png")}
        )
        with pytest.raises(PinterestBadRequest, match=r"items\[1\]: is 640x480 but media_source.items\[0\] is 500x500"):
            client.create_pin(
                {"board_id": board_id, "media_source": carousel_urls(f"{images}/500x500.png", f"{images}/640x480.png")}
            )

    assert standin.created_count() == 1
    assert standin.creations[0].pin_id == pin["id"] and standin.creations[0].item_count == 2


def test_carousel_of_remote_or_unreadable_urls_is_not_measured(account, standin):
    _user, board_id, client = account
    with _ImageServer() as images:
        client.create_pin(
            {
                "board_id": board_id,
                "media_source": carousel_urls(
                    "https://blog.example.com/a.jpg", f"{images}/not-an-image", f"{images}/640x480.png"
                ),
            }
        )

    assert standin.creations[-1].item_count == 3


def test_video_pin_with_processed_media_is_created_and_recorded_with_its_media(account, standin):
    _user, board_id, client = account
    media_id = uploaded_video(standin, client)

    pin = client.create_pin(
        {
            "board_id": board_id,
            "title": "Soup in 30 seconds",
            "media_source": {"source_type": "video_id", "media_id": media_id, "cover_image_key_frame_time": 3},
        }
    )

    creation = standin.creations[-1]
    assert (creation.media_kind, creation.media_id, creation.item_count) == ("video", media_id, 1)
    assert pin["media"]["media_type"] == "video" and pin["creative_type"] == "VIDEO"


def test_video_pin_with_media_not_yet_processed_is_400_naming_its_status(account, standin):
    _user, board_id, client = account
    standin.set_media_processing_seconds(60)
    registered = client.register_media()["media_id"]
    processing = uploaded_video(standin, client)

    for media_id, status in ((registered, "registered"), (processing, "processing")):
        with pytest.raises(PinterestBadRequest, match=f"media {media_id} is {status}, not succeeded"):
            client.create_pin({"board_id": board_id, "media_source": {"source_type": "video_id", "media_id": media_id}})

    assert standin.created_count() == 0


def test_video_pin_with_failed_media_is_400_with_the_processing_reason(account, standin):
    _user, board_id, client = account
    standin.fail_next_media_processing("Unsupported codec.")
    media_id = uploaded_video(standin, client)

    with pytest.raises(PinterestBadRequest, match="failed processing: Unsupported codec."):
        client.create_pin({"board_id": board_id, "media_source": {"source_type": "video_id", "media_id": media_id}})


def test_video_pin_with_another_accounts_or_unknown_media_is_400(account, standin):
    _user, board_id, client = account
    _stranger, their_client = other_account(standin)
    theirs = uploaded_video(standin, their_client)

    for media_id in (theirs, "42"):
        with pytest.raises(PinterestBadRequest, match=f"no media {media_id} of this account"):
            client.create_pin({"board_id": board_id, "media_source": {"source_type": "video_id", "media_id": media_id}})


@pytest.mark.parametrize(
    ("cover", "field"),
    [
        ({"cover_image_key_frame_time": -1}, "cover_image_key_frame_time"),
        ({"cover_image_key_frame_time": 1.5}, "cover_image_key_frame_time"),
        ({"cover_image_url": "not a url"}, "cover_image_url"),
        ({"cover_image_content_type": "image/gif", "cover_image_data": "AAAA"}, "cover_image_content_type"),
        ({"cover_image_content_type": "image/png", "cover_image_data": "a b"}, "cover_image_data"),
    ],
)
def test_video_pin_with_a_bad_cover_is_400_naming_the_field(account, standin, cover, field):
    _user, board_id, client = account
    media_id = uploaded_video(standin, client)

    with pytest.raises(PinterestBadRequest, match=f"media_source.{field}"):
        client.create_pin(
            {"board_id": board_id, "media_source": {"source_type": "video_id", "media_id": media_id, **cover}}
        )


def test_video_pin_with_a_base64_cover_is_created(account, standin):
    _user, board_id, client = account
    media_id = uploaded_video(standin, client)

    client.create_pin(
        {
            "board_id": board_id,
            "media_source": {
                "source_type": "video_id",
                "media_id": media_id,
                "cover_image_content_type": "image/jpeg",
                "cover_image_data": b64(png_bytes(fmt="JPEG")),
            },
        }
    )

    assert standin.created_count(board_id) == 1


def test_a_video_opened_from_django_storage_uploads_whole(account, standin, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    _user, _board_id, client = account
    storage = FileSystemStorage(location=tmp_path)
    data = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 800
    name = storage.save("videos/soup.mp4", ContentFile(data))
    media = client.register_media()

    with storage.open(name, "rb") as file:
        upload(client, media, data, file=file, size=storage.size(name))

    stored = standin.media(media["media_id"])
    assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
