"""Board sections, carousels and videos through the API (JSON and multipart) and the admin:
what is accepted, and every refusal as a 400 naming its field, the same on every way in."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pinterest.models import BoardSection
from publishing.models import CarouselItem, MediaState, Pin, PinKind
from tests.factories import api_client, make_article, make_board, make_connection, make_project, make_user, png_bytes
from tests.publishing.helpers import standin_account

pytestmark = pytest.mark.django_db

DEMO_VIDEO = Path(__file__).resolve().parents[2] / "publishing" / "services" / "demo_assets" / "demo-video.mp4"
URL = "https://images.example.com/{}.png"


@pytest.fixture
def setup(tenant):
    connection = make_connection(tenant=tenant)
    board = make_board(connection=connection)
    project = make_project(tenant=tenant, connection=connection)
    return project, board, make_article(project=project)


def base(setup, **fields):
    project, board, article = setup
    return {"project": project.pk, "article": article.pk, "board": board.pk, "title": "Soup", **fields}


def field_errors(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def png(name="a.png", width=300, height=400, color=(9, 9, 9)):
    return SimpleUploadedFile(name, png_bytes(width, height, color), content_type="image/png")


def video(name="clip.mp4", data=None):
    return SimpleUploadedFile(name, DEMO_VIDEO.read_bytes() if data is None else data, content_type="video/mp4")


# --- Board sections ------------------------------------------------------------------------------


def test_a_pin_names_a_section_of_its_board(tenant_api, setup):
    section = BoardSection.objects.create(board=setup[1], pinterest_section_id="5", name="Soups")
    response = tenant_api.post("/api/pins/", base(setup, image_url=URL.format(1), board_section=section.pk),
                               format="json")
    assert response.status_code == 201, response.content
    assert response.json()["board_section"] == section.pk


def test_a_section_of_another_board_is_a_400_naming_the_field(tenant_api, setup):
    other_board = make_board(connection=setup[1].connection, name="Desserts")
    section = BoardSection.objects.create(board=other_board, pinterest_section_id="6", name="Cakes")
    errors = field_errors(tenant_api.post("/api/pins/", base(setup, image_url=URL.format(1),
                                                             board_section=section.pk), format="json"))
    assert errors["board_section"] == [
        f"Board section 'Cakes' belongs to board 'Desserts', not to the pin's board {setup[1].name!r}; "
        "choose one of that board's sections."
    ]
    assert not Pin.objects.exists()


def test_an_archived_section_and_another_tenants_section_are_refused(tenant_api, setup):
    archived = BoardSection.objects.create(board=setup[1], pinterest_section_id="7", name="Old", is_archived=True)
    foreign = BoardSection.objects.create(board=make_board(), pinterest_section_id="8", name="Theirs")
    for section, text in ((archived, "is archived"), (foreign, "not found")):
        errors = field_errors(tenant_api.post("/api/pins/", base(setup, image_url=URL.format(1),
                                                                 board_section=section.pk), format="json"))
        assert text in errors["board_section"][0]


def test_changing_the_board_without_a_new_section_is_refused_not_silently_dropped(tenant_api, setup):
    section = BoardSection.objects.create(board=setup[1], pinterest_section_id="5", name="Soups")
    pin_id = tenant_api.post("/api/pins/", base(setup, image_url=URL.format(1), board_section=section.pk),
                             format="json").json()["id"]
    other = make_board(connection=setup[1].connection)
    errors = field_errors(tenant_api.patch(f"/api/pins/{pin_id}/", {"board": other.pk}, format="json"))
    assert "not to the pin's board" in errors["board_section"][0]
    response = tenant_api.patch(f"/api/pins/{pin_id}/", {"board": other.pk, "board_section": None}, format="json")
    assert response.status_code == 200 and response.json()["board_section"] is None


# --- Carousels -----------------------------------------------------------------------------------


def test_a_carousel_of_urls_is_created_from_json_in_order_with_each_items_texts(tenant_api, setup):
    items = [{"image_url": URL.format(n), "title": f"Step {n}", "link": "https://blog.example.com/s"}
             for n in range(3)]
    response = tenant_api.post("/api/pins/", base(setup, carousel=items), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "carousel" and body["image_url"] is None
    assert [(item["position"], item["image_url"], item["title"]) for item in body["carousel"]] == [
        (n, URL.format(n), f"Step {n}") for n in range(3)
    ]


def test_a_carousel_of_uploads_comes_as_multipart_with_a_json_list_naming_the_parts(tenant_api, setup):
    data = base(setup, carousel=json.dumps([{"file": "one", "title": "First"}, {"file": "two"}]),
                one=png("1.png"), two=png("2.png"))
    response = tenant_api.post("/api/pins/", data, format="multipart")
    assert response.status_code == 201, response.content
    carousel = response.json()["carousel"]
    assert [item["title"] for item in carousel] == ["First", ""]
    assert all(item["image"] and (item["width"], item["height"]) == (300, 400) for item in carousel)


@pytest.mark.parametrize("count", [1, 6])
def test_a_carousel_needs_two_to_five_images(tenant_api, setup, count):
    items = [{"image_url": URL.format(n)} for n in range(count)]
    errors = field_errors(tenant_api.post("/api/pins/", base(setup, carousel=items), format="json"))
    assert errors["carousel"] == [f"A carousel has 2 to 5 images; {count} given."]


def test_a_carousel_of_mixed_sizes_is_refused_at_input_naming_each_size(tenant_api, setup):
    data = base(setup, carousel=json.dumps([{"file": "a"}, {"file": "b"}]),
                a=png("a.png", 300, 400), b=png("b.png", 400, 400))
    errors = field_errors(tenant_api.post("/api/pins/", data, format="multipart"))
    assert errors["carousel"] == [
        "Every image of a carousel must have the same size (Pinterest refuses mixed sizes): "
        "item 1 is 300x400, item 2 is 400x400."
    ]
    assert not Pin.objects.exists() and not CarouselItem.objects.exists()


def test_every_bad_carousel_item_is_named_by_its_number(tenant_api, setup):
    data = base(setup, carousel=json.dumps([
        {"file": "text"}, {"image_url": "http://insecure.example.com/a.png"},
        {"image_url": URL.format(1), "file": "text"}, {"file": "missing"},
    ]), text=SimpleUploadedFile("a.png", b"not an image"))
    errors = field_errors(tenant_api.post("/api/pins/", data, format="multipart"))
    assert errors["carousel"] == ["Item 4: no file part named 'missing' in the request."]
    data["carousel"] = json.dumps([{"file": "text"}, {"image_url": "http://insecure.example.com/a.png"},
                                   {"image_url": URL.format(1), "file": "text"}])
    data["text"] = SimpleUploadedFile("a.png", b"not an image")
    problems = field_errors(tenant_api.post("/api/pins/", data, format="multipart"))["carousel"]
    assert "Item 1: Upload a valid image: the file is not an image or it is corrupted." in problems
    assert "Item 2: Must be an https URL." in problems
    assert any(problem.startswith("Item 3: give exactly one of image") for problem in problems)


def test_a_carousel_mixing_uploads_and_urls_is_refused(tenant_api, setup):
    data = base(setup, carousel=json.dumps([{"file": "a"}, {"image_url": URL.format(1)}]), a=png())
    errors = field_errors(tenant_api.post("/api/pins/", data, format="multipart"))
    assert "all uploads or all image URLs" in errors["carousel"][0]


def test_an_update_reorders_the_carousel_keeping_items_by_id_and_deleting_dropped_files(
    tenant_api, setup, django_capture_on_commit_callbacks
):
    data = base(setup, carousel=json.dumps([{"file": "a"}, {"file": "b"}, {"file": "c"}]),
                a=png("a.png", color=(1, 1, 1)), b=png("b.png", color=(2, 2, 2)), c=png("c.png", color=(3, 3, 3)))
    body = tenant_api.post("/api/pins/", data, format="multipart").json()
    first, second, third = (item["id"] for item in body["carousel"])
    dropped = CarouselItem.objects.get(pk=second)
    storage, dropped_name = dropped.image.storage, dropped.image.name

    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_api.patch(f"/api/pins/{body['id']}/", {"carousel": [
            {"id": third, "title": "Now first"}, {"id": first}]}, format="json")

    assert response.status_code == 200, response.content
    assert [(item["id"], item["position"], item["title"]) for item in response.json()["carousel"]] == [
        (third, 0, "Now first"), (first, 1, "")
    ]
    assert not storage.exists(dropped_name)


def test_reordering_a_carousel_by_id_keeps_each_items_texts_and_link_and_publishes_them(standin, tenant):
    connection, (board,) = standin_account(standin, tenant=tenant)
    project = make_project(tenant=tenant, connection=connection)
    api = api_client(make_user(tenant))
    items = [{"image_url": URL.format(n), "title": f"Step {n}", "description": f"Do {n}",
              "link": f"https://blog.example.com/{n}"} for n in range(3)]
    body = api.post("/api/pins/", base((project, board, make_article(project=project)), carousel=items),
                    format="json").json()
    first, second, third = (item["id"] for item in body["carousel"])

    response = api.patch(f"/api/pins/{body['id']}/", {"carousel": [
        {"id": third}, {"id": first, "title": "Now second"}, {"id": second, "link": ""}]}, format="json")

    assert response.status_code == 200, response.content
    assert [(item["id"], item["title"], item["description"], item["link"]) for item in response.json()["carousel"]] == [
        (third, "Step 2", "Do 2", "https://blog.example.com/2"),
        (first, "Now second", "Do 0", "https://blog.example.com/0"),
        (second, "Step 1", "Do 1", ""),
    ]
    assert api.post(f"/api/pins/{body['id']}/publish/").status_code == 200
    (published,) = standin.pins()
    assert [(item["title"], item["description"], item["link"]) for item in published["media"]["items"]] == [
        ("Step 2", "Do 2", "https://blog.example.com/2"),
        ("Now second", "Do 0", "https://blog.example.com/0"),
        ("Step 1", "Do 1", None),
    ]


def test_an_image_given_to_a_carousel_pin_makes_it_an_image_pin_and_drops_the_items(tenant_api, setup):
    body = tenant_api.post("/api/pins/", base(setup, carousel=[{"image_url": URL.format(n)} for n in range(2)]),
                           format="json").json()
    response = tenant_api.patch(f"/api/pins/{body['id']}/", {"image_url": URL.format(9)}, format="json")
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["carousel"]) == ("image", [])
    assert not CarouselItem.objects.exists()


def test_two_kinds_of_media_at_once_are_refused(tenant_api, setup):
    data = base(setup, image=png(), video=video())
    errors = field_errors(tenant_api.post("/api/pins/", data, format="multipart"))
    assert errors["video"] == ["Give one of image, image_url, carousel or video, not image and video."]


# --- Video ---------------------------------------------------------------------------------------


def test_a_video_pin_is_created_with_a_cover_image_and_no_media_yet(tenant_api, setup):
    response = tenant_api.post("/api/pins/", base(setup, video=video(), cover_image=png()), format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "video" and body["video"].endswith(".mp4") and body["cover_image"]
    assert body["media_state"] == ""


@pytest.mark.parametrize("brand, extension", [(b"qt  ", ".mov"), (b"M4V ", ".m4v"), (b"isom", ".mp4")])
def test_mov_and_m4v_are_videos_by_their_content_whatever_their_name(tenant_api, setup, brand, extension):
    data = b"\x00\x00\x00\x18ftyp" + brand + b"\x00" * 200
    response = tenant_api.post("/api/pins/", base(setup, video=video("upload.bin", data)), format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["video"].endswith(extension)


def test_a_file_that_is_not_a_video_is_refused_whatever_its_name(tenant_api, setup):
    errors = field_errors(tenant_api.post("/api/pins/", base(setup, video=video("clip.mp4", png_bytes())),
                                          format="multipart"))
    assert errors["video"] == [
        "Upload an MP4, MOV or M4V video: this file is not one (judged by its content, not its name)."
    ]


def test_a_video_over_the_size_setting_is_refused(tenant_api, setup, settings):
    settings.PIN_VIDEO_MAX_BYTES = 1024
    errors = field_errors(tenant_api.post("/api/pins/", base(setup, video=video()), format="multipart"))
    assert errors["video"] == ["The video is 19.4\xa0KB; at most 1.0\xa0KB is accepted (PIN_VIDEO_MAX_BYTES)."]


def test_a_video_at_exactly_the_size_setting_is_accepted(tenant_api, setup, settings):
    settings.PIN_VIDEO_MAX_BYTES = DEMO_VIDEO.stat().st_size
    response = tenant_api.post("/api/pins/", base(setup, video=video()), format="multipart")
    assert response.status_code == 201, response.content


def test_a_cover_belongs_to_a_video_and_there_is_one(tenant_api, setup):
    errors = field_errors(tenant_api.post("/api/pins/", base(setup, image_url=URL.format(1), cover_key_frame_seconds=3),
                                          format="json"))
    assert errors["cover_key_frame_seconds"] == ["Only a video pin has a cover."]
    data = base(setup, video=video(), cover_image_url="https://i.example.com/c.jpg", cover_key_frame_seconds=2)
    errors = field_errors(tenant_api.post("/api/pins/", data, format="multipart"))
    assert "Give one cover" in errors["cover_key_frame_seconds"][0]


def test_a_new_video_forgets_the_media_pinterest_had(tenant_api, setup):
    pin_id = tenant_api.post("/api/pins/", base(setup, video=video()), format="multipart").json()["id"]
    Pin.objects.filter(pk=pin_id).update(media_id="123", media_state=MediaState.FAILED)
    response = tenant_api.patch(f"/api/pins/{pin_id}/", {"video": video()}, format="multipart")
    assert response.status_code == 200
    pin = Pin.objects.get(pk=pin_id)
    assert (pin.media_id, pin.media_state, pin.kind) == ("", "", PinKind.VIDEO)


# --- The admin takes the same rules --------------------------------------------------------------

INLINES = {
    "attempts-TOTAL_FORMS": "0", "attempts-INITIAL_FORMS": "0",
    "attempts-MIN_NUM_FORMS": "0", "attempts-MAX_NUM_FORMS": "1000",
}


def carousel_rows(*rows):
    data = {"carousel_items-TOTAL_FORMS": str(len(rows)), "carousel_items-INITIAL_FORMS": "0",
            "carousel_items-MIN_NUM_FORMS": "0", "carousel_items-MAX_NUM_FORMS": "5"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"carousel_items-{index}-{key}"] = value
    return data


def admin_add(client, setup, rows, **fields):
    project, board, article = setup
    data = {"project": project.pk, "article": article.pk, "board": board.pk, "title": "Soup",
            "description": "", "alt_text": "", "image_url": "", "cover_image_url": "",
            "cover_key_frame_seconds": "", "board_section": "", **INLINES, **carousel_rows(*rows), **fields}
    return client.post(reverse("admin:publishing_pin_add"), data)


def test_the_admin_makes_a_carousel_from_its_rows_in_position_order(admin_user_client, setup):
    response = admin_add(admin_user_client, setup, [
        {"position": "1", "image_url": URL.format("b"), "title": "Second"},
        {"position": "0", "image_url": URL.format("a"), "title": "First"},
    ])
    assert response.status_code == 302, response.context["adminform"].form.errors
    pin = Pin.objects.get()
    assert pin.kind == PinKind.CAROUSEL
    assert [(item.position, item.title) for item in pin.carousel_items.all()] == [(0, "First"), (1, "Second")]


def test_the_admin_refuses_a_one_image_carousel_with_the_apis_message(admin_user_client, tenant_api, setup):
    response = admin_add(admin_user_client, setup, [{"position": "0", "image_url": URL.format("a")}])
    assert response.status_code == 200
    form = response.context["adminform"].form
    api = field_errors(tenant_api.post("/api/pins/", base(setup, carousel=[{"image_url": URL.format("a")}]),
                                       format="json"))
    assert [f"carousel: {message}" for message in api["carousel"]] == form.non_field_errors()
    assert not Pin.objects.exists()


def test_a_carousel_item_key_it_does_not_take_is_named_not_dropped(tenant_api, setup):
    items = [{"image_url": URL.format(1), "titel": "Typo"}, {"image_url": URL.format(2)}]
    errors = field_errors(tenant_api.post("/api/pins/", base(setup, carousel=items), format="json"))
    assert errors == {"carousel.0.titel": [
        "titel is not a field of this endpoint. Did you mean title? "
        "Accepted: description, file, id, image_url, link, title."
    ]}
    assert not Pin.objects.exists()
