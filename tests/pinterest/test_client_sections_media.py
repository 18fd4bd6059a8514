"""PinterestClient's board sections and media calls against canned answers (``responses``),
and the media upload against a recording transport: what is sent, what comes back, and
which error every failure becomes."""

import io

import pytest
import requests
import responses
from requests.adapters import HTTPAdapter

from pinterest.client import PinterestClient
from pinterest.errors import (
    PinterestAuthError,
    PinterestBadRequest,
    PinterestConnectionError,
    PinterestError,
    PinterestNotFound,
    PinterestRateLimitError,
    PinterestUnavailable,
    PinterestUploadRefused,
)
from pinterest.multipart import MultipartFileBody
from tests.factories import client_config

from .conftest import API_BASE
from .test_client import TOKEN, add, refused, reset_after_send

UPLOAD_URL = "https://pinterest-media-upload.s3-accelerate.amazonaws.com/"
UPLOAD_PARAMETERS = {
    "Content-Type": "multipart/form-data",
    "key": "uploads/11/aa/22/3:video:203014033110991560:5212123920968240771",
    "policy": "eyJleHBpcmF0aW9uIjoiMj..==",
    "x-amz-algorithm": "AWS4-HMAC-SHA256",
    "x-amz-credential": "ASIA6QZJ64OPIKV7FRVX/20220127/us-east-1/s3/aws4_request",
    "x-amz-date": "20220127T185143Z",
    "x-amz-security-token": "IQoJb3JpZ2luX2VjEJr...==",
    "x-amz-signature": "fcd6309a6aaee213348666a72abed8b44552a43acb6b340e8e1b288d21a5fe92",
}
MEDIA_UPLOAD = {
    "media_id": "5212123920968240771",
    "media_type": "video",
    "upload_url": UPLOAD_URL,
    "upload_parameters": UPLOAD_PARAMETERS,
}
S3_REFUSAL = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    "<Message>Invalid according to Policy: Policy expired.</Message>"
    "<RequestId>7Q1X</RequestId></Error>"
)


def client():
    return PinterestClient(client_config(), TOKEN)


def sections_page(items, bookmark):
    return {"items": [{"id": i, "name": f"Section {i}"} for i in items], "bookmark": bookmark}


# --- board sections -------------------------------------------------------------------


def test_list_board_sections_follows_the_bookmark_across_three_pages(pinterest_api):
    pages = [
        (sections_page(["1", "2"], "b1"), {"page_size": "100"}),
        (sections_page(["3"], "b2"), {"page_size": "100", "bookmark": "b1"}),
        (sections_page(["4"], None), {"page_size": "100", "bookmark": "b2"}),
    ]
    for page, params in pages:
        add(
            pinterest_api,
            "GET",
            "/boards/77/sections",
            json=page,
            match=[responses.matchers.query_param_matcher(params)],
        )

    sections = client().list_board_sections("77")

    assert sections == [
        {"id": "1", "name": "Section 1"},
        {"id": "2", "name": "Section 2"},
        {"id": "3", "name": "Section 3"},
        {"id": "4", "name": "Section 4"},
    ]
    assert pinterest_api.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_iter_board_sections_sends_the_page_size_asked_for(pinterest_api):
    add(
        pinterest_api,
        "GET",
        "/boards/77/sections",
        json=sections_page([], None),
        match=[responses.matchers.query_param_matcher({"page_size": "250"})],
    )

    assert list(client().iter_board_sections("77", page_size=250)) == []


def test_list_board_sections_of_a_board_without_sections_is_empty(pinterest_api):
    add(pinterest_api, "GET", "/boards/77/sections", json={"items": [], "bookmark": None})

    assert client().list_board_sections("77") == []


def test_list_board_sections_refuses_a_bookmark_that_repeats(pinterest_api):
    add(pinterest_api, "GET", "/boards/77/sections", json=sections_page(["1"], "same"))
    add(pinterest_api, "GET", "/boards/77/sections", json=sections_page(["2"], "same"))

    with pytest.raises(PinterestError, match="repeated a bookmark"):
        client().list_board_sections("77")


def test_list_board_sections_raises_rather_than_return_part_of_the_list_at_the_page_cap(pinterest_api, monkeypatch):
    monkeypatch.setattr("pinterest.client.boards._MAX_SECTION_PAGES", 2)
    add(pinterest_api, "GET", "/boards/77/sections", json=sections_page(["1"], "b1"))
    add(pinterest_api, "GET", "/boards/77/sections", json=sections_page(["2"], "b2"))

    with pytest.raises(PinterestError, match="still had more after 2 pages"):
        client().list_board_sections("77")


def test_list_board_sections_escapes_the_board_id_in_the_path(pinterest_api):
    pinterest_api.add("GET", f"{API_BASE}/boards/7%2F7/sections", json={"items": [], "bookmark": None})

    assert client().list_board_sections("7/7") == []


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (404, PinterestNotFound),
        (401, PinterestAuthError),
        (429, PinterestRateLimitError),
        (500, PinterestUnavailable),
        (503, PinterestUnavailable),
    ],
)
def test_list_board_sections_maps_each_error_status(pinterest_api, status, error_class):
    add(pinterest_api, "GET", "/boards/77/sections", status=status, json={"code": 40, "message": "Board not found."})

    with pytest.raises(error_class) as caught:
        client().list_board_sections("77")

    assert (caught.value.status_code, caught.value.pinterest_code) == (status, 40)


def test_list_board_sections_fails_on_the_second_page_without_a_partial_list(pinterest_api):
    add(pinterest_api, "GET", "/boards/77/sections", json=sections_page(["1"], "b1"))
    add(pinterest_api, "GET", "/boards/77/sections", status=503, json={"code": 503, "message": "Unavailable"})

    with pytest.raises(PinterestUnavailable):
        client().list_board_sections("77")


def test_list_board_sections_transport_error_and_non_json_body(pinterest_api):
    add(pinterest_api, "GET", "/boards/77/sections", body=reset_after_send())
    add(pinterest_api, "GET", "/boards/78/sections", body="<html>maintenance</html>")

    with pytest.raises(PinterestUnavailable) as lost:
        client().list_board_sections("77")
    with pytest.raises(PinterestUnavailable, match="not JSON"):
        client().list_board_sections("78")

    assert isinstance(lost.value.__cause__, requests.exceptions.ConnectionError)


def test_list_board_sections_answer_without_items_is_an_error(pinterest_api):
    add(pinterest_api, "GET", "/boards/77/sections", json={"sections": []})

    with pytest.raises(PinterestError, match="no list of items"):
        client().list_board_sections("77")


# --- register and look at media -----------------------------------------------------------


def test_register_media_posts_the_media_type_and_returns_the_upload_details(pinterest_api):
    add(
        pinterest_api,
        "POST",
        "/media",
        status=201,
        json=MEDIA_UPLOAD,
        match=[responses.matchers.json_params_matcher({"media_type": "video"})],
    )

    media = client().register_media()

    assert media == MEDIA_UPLOAD
    assert pinterest_api.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_register_media_without_upload_parameters_gives_an_empty_set(pinterest_api):
    add(pinterest_api, "POST", "/media", json={"media_id": "12", "media_type": "video", "upload_url": UPLOAD_URL})

    assert client().register_media()["upload_parameters"] == {}


@pytest.mark.parametrize(
    "answer",
    [
        {"media_type": "video", "upload_url": UPLOAD_URL},
        {"media_id": "12", "media_type": "video"},
        {"media_id": "12", "upload_url": UPLOAD_URL, "upload_parameters": ["key"]},
        [],
    ],
    ids=["no media_id", "no upload_url", "parameters not an object", "not an object"],
)
def test_register_media_answer_missing_what_an_upload_needs_is_a_pinterest_error(pinterest_api, answer):
    add(pinterest_api, "POST", "/media", json=answer)

    with pytest.raises(PinterestError) as caught:
        client().register_media()

    assert type(caught.value) is PinterestError


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, PinterestBadRequest),
        (401, PinterestAuthError),
        (429, PinterestRateLimitError),
        (500, PinterestUnavailable),
    ],
)
def test_register_media_maps_each_error_status(pinterest_api, status, error_class):
    add(pinterest_api, "POST", "/media", status=status, json={"code": 1, "message": "Invalid media_type."})

    with pytest.raises(error_class, match="Invalid media_type"):
        client().register_media()


def test_register_media_transport_error_is_an_unknown_outcome(pinterest_api):
    add(pinterest_api, "POST", "/media", body=reset_after_send())

    with pytest.raises(PinterestUnavailable) as caught:
        client().register_media()

    assert caught.value.outcome_unknown


@pytest.mark.parametrize("status", ["registered", "processing", "succeeded", "failed"])
def test_get_media_returns_the_media_with_its_status(pinterest_api, status):
    answer = {"media_id": "12", "media_type": "video", "status": status}
    add(pinterest_api, "GET", "/media/12", json=answer)

    assert client().get_media("12") == answer


@pytest.mark.parametrize("answer", [{"media_id": "12", "media_type": "video"}, {"status": 3}, []])
def test_get_media_answer_without_a_status_is_a_pinterest_error(pinterest_api, answer):
    add(pinterest_api, "GET", "/media/12", json=answer)

    with pytest.raises(PinterestError, match="has no status"):
        client().get_media("12")


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(404, PinterestNotFound), (401, PinterestAuthError), (429, PinterestRateLimitError), (502, PinterestUnavailable)],
)
def test_get_media_maps_each_error_status(pinterest_api, status, error_class):
    add(pinterest_api, "GET", "/media/12", status=status, json={"code": 4, "message": "Media not found."})

    with pytest.raises(error_class):
        client().get_media("12")


def test_get_media_transport_error_and_non_json_body(pinterest_api):
    add(pinterest_api, "GET", "/media/12", body=requests.exceptions.ReadTimeout("read timed out"))
    add(pinterest_api, "GET", "/media/13", body="not json")

    with pytest.raises(PinterestUnavailable):
        client().get_media("12")
    with pytest.raises(PinterestUnavailable, match="not JSON"):
        client().get_media("13")


# --- upload -------------------------------------------------------------------------------


class RecordingTransport(HTTPAdapter):
    """A transport that takes the request as urllib3 would: it records what it was handed,
    reads the body block by block like urllib3 does, and answers ``status``/``text``."""

    def __init__(self, status=204, text="", error=None):
        super().__init__()
        self.status, self.text, self.error = status, text, error
        self.requests = []

    def send(self, request, **kwargs):
        body = request.body
        blocks = []
        while block := body.read(16384):
            assert len(block) <= 16384
            blocks.append(block)
        self.requests.append(
            {
                "request": request,
                "body_type": type(body),
                "data": b"".join(blocks),
                "kwargs": kwargs,
                "blocks": len(blocks),
            }
        )
        if self.error:
            raise self.error
        response = requests.Response()
        response.status_code = self.status
        response.reason = {204: "No Content", 403: "Forbidden", 503: "Slow Down"}.get(self.status, "")
        response.raw = io.BytesIO(self.text.encode())
        response.request = request
        response.url = request.url
        return response


def upload_client(transport, **options):
    session = requests.Session()
    session.mount("https://", transport)
    session.mount("http://", transport)
    return PinterestClient(client_config(**options), TOKEN, session=session)


def video(size=300_000):
    data = bytes(range(256)) * (size // 256) + b"v" * (size % 256)
    return data, io.BytesIO(data)


def parse_form(content_type, data):
    """The fields and files of a multipart body, parsed by the standard library."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + data)
    fields, files = {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename():
            files[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
        else:
            fields[name] = part.get_payload(decode=True).decode()
    return list(fields.items()), files


def upload(api, file, size, **overrides):
    arguments = {
        "upload_url": UPLOAD_URL,
        "upload_parameters": UPLOAD_PARAMETERS,
        "file": file,
        "filename": "soup.mp4",
        "content_type": "video/mp4",
        "size": size,
        **overrides,
    }
    return api.upload_media(**arguments)


def test_upload_sends_every_parameter_then_the_file_as_one_multipart_form():
    transport = RecordingTransport()
    data, file = video()

    assert upload(upload_client(transport), file, len(data)) is None

    sent = transport.requests[0]
    fields, files = parse_form(sent["request"].headers["Content-Type"], sent["data"])
    assert fields == list(UPLOAD_PARAMETERS.items())
    assert list(files) == ["file"]
    assert files["file"] == ("soup.mp4", "video/mp4", data)
    assert sent["data"].rstrip().endswith(b"--")
    assert sent["data"].index(b'name="x-amz-signature"') < sent["data"].index(b'name="file"')
    assert sent["request"].url == UPLOAD_URL and sent["request"].method == "POST"


def test_upload_streams_the_body_with_the_real_content_length_and_no_chunking():
    transport = RecordingTransport()
    data, file = video(1_000_003)

    upload(upload_client(transport), file, len(data))

    sent = transport.requests[0]
    assert sent["body_type"] is MultipartFileBody
    assert not isinstance(sent["request"].body, bytes | bytearray | str)
    assert int(sent["request"].headers["Content-Length"]) == len(sent["data"])
    assert "Transfer-Encoding" not in sent["request"].headers
    assert sent["blocks"] > 60  # read in urllib3-sized blocks, never as one piece


def test_upload_carries_no_bearer_token_and_uses_the_upload_read_timeout(settings):
    settings.PINTEREST_CONNECT_TIMEOUT_SECONDS = 4
    transport = RecordingTransport()
    data, file = video(1000)

    upload(upload_client(transport, upload_read_timeout=120), file, len(data))

    sent = transport.requests[0]
    assert "Authorization" not in sent["request"].headers
    assert TOKEN.encode() not in sent["data"]
    assert sent["kwargs"]["timeout"] == (4, 120)


def test_upload_read_timeout_defaults_to_the_read_timeout_setting(settings):
    settings.PINTEREST_CONNECT_TIMEOUT_SECONDS, settings.PINTEREST_READ_TIMEOUT_SECONDS = 3, 11
    transport = RecordingTransport(status=201)
    data, file = video(10)

    upload(upload_client(transport), file, len(data))

    assert transport.requests[0]["kwargs"]["timeout"] == (3, 11)


@pytest.mark.parametrize("status", [200, 201, 204])
def test_upload_success_statuses(status):
    data, file = video(10)

    assert upload(upload_client(RecordingTransport(status=status)), file, len(data)) is None


def test_upload_refusal_carries_the_status_and_s3s_code_and_message():
    data, file = video(10)

    with pytest.raises(PinterestUploadRefused) as caught:
        upload(upload_client(RecordingTransport(status=403, text=S3_REFUSAL)), file, len(data))

    error = caught.value
    assert error.status_code == 403
    assert "AccessDenied" in str(error) and "Policy expired" in str(error) and "HTTP 403" in str(error)
    assert error.body.startswith("<?xml")
    assert not error.outcome_unknown


def test_upload_refusal_without_xml_shows_the_body_text():
    data, file = video(10)

    with pytest.raises(PinterestUploadRefused, match="HTTP 400") as caught:
        upload(upload_client(RecordingTransport(status=400, text="bad   form")), file, len(data))

    assert caught.value.message_detail == "bad form"


def test_upload_5xx_is_an_unknown_outcome():
    slow_down = S3_REFUSAL.replace("AccessDenied", "SlowDown")
    data, file = video(10)

    with pytest.raises(PinterestUnavailable, match="SlowDown") as caught:
        upload(upload_client(RecordingTransport(status=503, text=slow_down)), file, len(data))

    assert caught.value.outcome_unknown and caught.value.status_code == 503


def test_upload_connection_lost_is_an_unknown_outcome_from_the_transport_error():
    cause = reset_after_send()
    data, file = video(10)

    with pytest.raises(PinterestUnavailable) as caught:
        upload(upload_client(RecordingTransport(error=cause)), file, len(data))

    assert caught.value.__cause__ is cause


def test_upload_that_never_connected_is_a_connection_error():
    data, file = video(10)

    with pytest.raises(PinterestConnectionError, match="media upload host"):
        upload(upload_client(RecordingTransport(error=refused())), file, len(data))


def test_upload_read_timeout_is_an_unknown_outcome():
    data, file = video(10)

    with pytest.raises(PinterestUnavailable, match="did not answer"):
        upload(upload_client(RecordingTransport(error=requests.exceptions.ReadTimeout("slow"))), file, len(data))


@pytest.mark.parametrize("size_given", [9, 11])
def test_upload_of_a_file_whose_size_is_not_the_size_given_is_an_error(size_given):
    data, file = video(10)

    with pytest.raises(PinterestError, match="announced") as caught:
        upload(upload_client(RecordingTransport()), file, size_given)

    assert type(caught.value) is PinterestError


@pytest.mark.parametrize("url", ["", "ftp://upload.example/", "/relative"])
def test_upload_to_something_that_is_not_an_http_url_is_an_error(url):
    transport = RecordingTransport()
    data, file = video(10)

    with pytest.raises(PinterestError, match="upload_url"):
        upload(upload_client(transport), file, len(data), upload_url=url)

    assert transport.requests == []


def test_multipart_body_gives_the_same_form_whatever_the_block_size_and_its_announced_length():
    data, _file = video(5000)
    for block in (1, 7, 4096, 10**6):
        body = MultipartFileBody(
            fields={"key": "k", 'na"me': "välue"},
            file=io.BytesIO(data),
            filename="a.mp4",
            content_type="video/mp4",
            size=len(data),
        )
        read = b"".join(iter(lambda body=body, block=block: body.read(block), b""))

        assert len(read) == len(body)
        fields, files = parse_form(body.content_type, read)
        assert fields == [("key", "k"), ("na%22me", "välue")]
        assert files["file"][2] == data
