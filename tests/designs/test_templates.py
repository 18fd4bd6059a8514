"""The templates: what falls back and why, deterministic bytes, the project's colours, collages
of 2-4 images, and sources judged before they are decoded."""

import io
from pathlib import Path

import pytest
from PIL import Image

from designs.render import SIZE, TEMPLATES, DesignInput, Style, render
from designs.render import images as images_module
from designs.render.images import cover, cover_many
from tests.factories import huge_png_bytes

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "designs"
TITLE = "Ten easy weeknight dinners your whole family will actually love"
STYLE = Style(background="#123456", text="#fafafa", accent="#ff8800", footer_text="example.com")


def photo(width=1600, height=1200, colour=(40, 160, 90), fmt="JPEG"):
    """A photo-like image: a gradient with a colour, so a crop or a paste is visible."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.blend(image, Image.new("RGB", (width, height), colour), 0.5)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def opened(rendered):
    return Image.open(io.BytesIO(rendered.data))


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_is_1000x1500_a_jpeg_with_a_photo_and_a_png_of_text(template):
    rendered = render(template, DesignInput(TITLE, (photo(), photo(colour=(200, 40, 40))), STYLE))
    image = opened(rendered)
    expected = "PNG" if template == "text" else "JPEG"
    assert image.format == expected and image.size == SIZE == (1000, 1500)
    assert rendered.media_type == f"image/{expected.lower()}"
    assert rendered.template == template and rendered.fallback == ""


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_same_input_gives_the_same_bytes(template):
    design = DesignInput(TITLE, (photo(), photo(colour=(200, 40, 40)), photo(colour=(20, 20, 200))), STYLE)
    assert render(template, design).data == render(template, design).data


@pytest.mark.parametrize("template", ["photo_band", "split", "collage"])
def test_an_image_template_without_an_image_falls_back_to_the_text_template(template):
    rendered = render(template, DesignInput(TITLE, (), STYLE))
    assert rendered.template == "text" and rendered.requested == template
    assert "no image" in rendered.fallback
    assert rendered.data == render("text", DesignInput(TITLE, (), STYLE)).data


def test_a_tiny_image_falls_back_to_the_text_template_saying_why():
    rendered = render("photo_band", DesignInput(TITLE, (photo(120, 90),), STYLE))
    assert rendered.template == "text"
    assert "120x90 px, under 300 px" in rendered.fallback


def test_a_missing_file_or_not_an_image_falls_back(tmp_path):
    not_an_image = tmp_path / "x.jpg"
    not_an_image.write_bytes(b"<html>not an image</html>")
    for source in (str(tmp_path / "gone.jpg"), str(not_an_image)):
        rendered = render("split", DesignInput(TITLE, (source,), STYLE))
        assert rendered.template == "text" and rendered.fallback


def test_a_collage_with_one_usable_image_is_drawn_as_the_photo_band():
    rendered = render("collage", DesignInput(TITLE, (photo(), photo(50, 50)), STYLE))
    assert rendered.template == "photo_band" and "collage needs 2" in rendered.fallback


@pytest.mark.parametrize("count", [2, 3, 4])
def test_a_collage_shows_each_of_two_to_four_images(count):
    colours = [(220, 30, 30), (30, 200, 30), (30, 30, 220), (230, 200, 20)]
    images = tuple(photo(colour=colour) for colour in colours[:count])
    style = Style(background="#000000", text="#ffffff", accent="#000000")
    rendered = render("collage", DesignInput(TITLE, images, style))
    assert rendered.template == "collage"
    image = opened(rendered).convert("RGB")
    corners = {2: [(500, 300), (500, 1200)], 3: [(500, 300), (250, 1200), (750, 1200)],
               4: [(250, 300), (750, 300), (250, 1200), (750, 1200)]}[count]
    for (x, y), colour in zip(corners, colours, strict=False):
        pixel = image.getpixel((x, y))
        dominant = max(range(3), key=lambda channel: colour[channel])
        assert max(range(3), key=lambda channel: pixel[channel]) == dominant, (count, x, y, pixel)


def test_a_collage_skips_an_unusable_image_and_lays_out_the_others():
    images = (photo(colour=(220, 30, 30)), photo(40, 40), photo(colour=(30, 30, 220)), photo(colour=(30, 200, 30)))
    rendered = render("collage", DesignInput(TITLE, images, STYLE))
    assert rendered.template == "collage"  # three usable: the layout of three


def test_a_collage_decoded_on_threads_draws_the_same_bytes_as_on_one_thread(monkeypatch):
    images = tuple(photo(colour=colour) for colour in [(220, 30, 30), (30, 200, 30), (30, 30, 220)])
    images += (photo(1400, 1400, colour=(230, 200, 20), fmt="PNG"),)
    threaded = render("collage", DesignInput(TITLE, images, STYLE))
    monkeypatch.setattr(images_module, "DECODE_THREADS", 1)
    assert render("collage", DesignInput(TITLE, images, STYLE)).data == threaded.data


def test_a_truncated_and_an_oversized_image_among_others_decoded_at_once_each_say_why():
    whole = photo(2000, 1500)
    truncated = whole[: len(whole) // 3]
    jobs = [(whole, (500, 560)), (truncated, (500, 560)), (huge_png_bytes(13000, 13000), (500, 560)),
            (photo(colour=(30, 30, 220)), (500, 560))]
    first, cut, huge, last = cover_many(jobs, threads=2)
    assert first.image is not None and first.image.size == (500, 560)
    assert last.image is not None and last.image.size == (500, 560)
    assert huge.image is None and "pixels" in huge.reason
    assert cut.image is None and cut.reason == "the file is not an image Pillow can read"


def test_a_collage_with_a_truncated_photo_lays_out_the_others():
    images = (photo(colour=(220, 30, 30)), b"\xff\xd8\xff\xe0 not really a jpeg", photo(colour=(30, 30, 220)))
    rendered = render("collage", DesignInput(TITLE, images, STYLE))
    assert rendered.template == "collage" and rendered.fallback == ""
    image = opened(rendered).convert("RGB")
    assert max(range(3), key=lambda c: image.getpixel((500, 300))[c]) == 0  # the red one, then
    assert max(range(3), key=lambda c: image.getpixel((500, 1200))[c]) == 2  # the blue one: a layout of two


def test_the_project_colours_are_the_background_the_band_and_the_accent():
    text = opened(render("text", DesignInput("", (), STYLE))).convert("RGB")
    assert text.getpixel((5, 5)) == (0x12, 0x34, 0x56)
    assert text.getpixel((150, 207)) == (0xFF, 0x88, 0x00)  # the accent rule
    band = opened(render("photo_band", DesignInput("", (photo(),), STYLE))).convert("RGB")
    # A photo design is a JPEG: its flat colours within a step or two of rounding.
    assert near(band.getpixel((500, 1200)), (0x12, 0x34, 0x56))
    assert near(band.getpixel((500, 965)), (0xFF, 0x88, 0x00))


def near(pixel, colour, within=3):
    return all(abs(a - b) <= within for a, b in zip(pixel, colour, strict=True))


def test_the_title_is_drawn_in_the_text_colour():
    image = opened(render("text", DesignInput("HHHH", (), Style(background="#000000", text="#00ff00")))).convert("RGB")
    assert (0, 255, 0) in {colour for _count, colour in image.getcolors(1_000_000)}


def test_a_logo_replaces_the_footer_text():
    logo = photo(400, 100, colour=(255, 0, 255), fmt="PNG")
    with_logo = render("text", DesignInput(TITLE, (), Style(footer_text="example.com", logo=logo)))
    without = render("text", DesignInput(TITLE, (), Style(footer_text="example.com")))
    assert with_logo.data != without.data
    footer = opened(with_logo).convert("RGB").crop((90, 1340, 910, 1420))
    assert any(r > 150 and b > 150 and g < 140 for _n, (r, g, b) in footer.getcolors(1_000_000))


def test_a_source_over_the_pixel_limit_is_refused_from_its_header_alone():
    loaded = cover(huge_png_bytes(13000, 13000), (1000, 960))
    assert loaded.image is None and "pixels" in loaded.reason


def test_a_big_png_is_refused_above_the_decoded_pixels_while_a_big_jpeg_is_drafted():
    assert cover(photo(3000, 2000, fmt="PNG"), (1000, 960)).image is None
    jpeg = cover(photo(6000, 4000), (1000, 960))
    assert jpeg.image is not None and jpeg.image.size == (1000, 960)


def test_each_template_writes_its_sample_for_the_record():
    """Each template's output for a sample article, in artifacts/designs/ (for people to look at)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    images = (photo(colour=(200, 80, 40)), photo(colour=(40, 120, 200)), photo(colour=(60, 160, 60)),
              photo(colour=(220, 180, 40)))
    style = Style(background="#1f2a44", text="#ffffff", accent="#e60023", footer_text="gardenjournal.example")
    samples = {
        **{name: DesignInput(TITLE, images, style) for name in TEMPLATES},
        "fallback_no_image": DesignInput(TITLE, (), style),
        "arabic": DesignInput("كيف تزرع الطماطم في حديقتك المنزلية خطوة بخطوة", images[:1], style),
        "long_title": DesignInput("The complete beginner's guide to growing tomatoes on a balcony " * 4, images, style),
    }
    for name, design in samples.items():
        template = name if name in TEMPLATES else ("split" if name == "arabic" else "text")
        rendered = render(template, design)
        (ARTIFACTS / f"{name}.{rendered.extension}").write_bytes(rendered.data)
    assert set(TEMPLATES) <= {path.stem for path in ARTIFACTS.glob("*.*")}
