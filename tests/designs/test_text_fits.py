"""Text always fits its box: measured on the pixels actually drawn, for long titles, overlong
words, accents and non-Latin scripts; characters no font has are reported, never drawn as boxes."""

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from designs.render.fonts import SYSTEM_FALLBACKS, family_paths, has_glyph
from designs.render.text import ELLIPSIS, Box, fit_text

BOX = Box(60, 1000, 940, 1370)
TITLE_FONT, FOOTER_FONT = family_paths("sans")
CJK_FONT = next((path for path in SYSTEM_FALLBACKS if Path(path).is_file()), None)
needs_cjk_font = pytest.mark.skipif(CJK_FONT is None,
                                    reason="no CJK font installed (apt-get install fonts-droid-fallback)")

TITLES = {
    "long": "The complete beginner's guide to growing tomatoes, peppers and cucumbers on a small city "
            "balcony, with a month-by-month planting calendar, soil mixes, watering and pests " * 3,
    "long_word": "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft "
                 "Supercalifragilisticexpialidocious" * 4,
    "accents": "Ärger über Öl: Çà et là, Ǻngström, ŽŠČ, Ẫ Ỗ Ữ, naïve café crème brûlée — résumé",
    "arabic": "كيف تزرع الطماطم في حديقتك المنزلية خطوة بخطوة مع جدول الري والتسميد",
    "hebrew": "איך לגדל עגבניות במרפסת קטנה בעיר: מדריך מלא למתחילים",
    "cyrillic": "Как вырастить помидоры на балконе: полное руководство для начинающих садоводов",
    "greek": "Πώς να καλλιεργήσετε ντομάτες στο μπαλκόνι σας",
    "short": "Tomatoes",
}


def drawn_bbox(fitted, size=(1000, 1500)):
    """The bounding box of every pixel ``fitted`` draws on an empty canvas."""
    canvas = Image.new("L", size, 0)
    fitted.draw(ImageDraw.Draw(canvas), (255,))
    return canvas.getbbox()


def assert_inside(bbox, box):
    assert bbox is not None, "nothing was drawn"
    left, top, right, bottom = bbox
    assert left >= box.left and top >= box.top and right <= box.right and bottom <= box.bottom, (bbox, box)


@pytest.mark.parametrize("name", TITLES)
@pytest.mark.parametrize("align", ["center", "start"])
def test_every_title_is_drawn_inside_its_box(name, align):
    fitted = fit_text(TITLES[name], BOX, font_path=TITLE_FONT, max_size=88, min_size=34, align=align, fallbacks=())
    assert fitted.missing == ()
    assert_inside(drawn_bbox(fitted), BOX)


def test_a_title_too_long_for_the_box_at_the_minimum_size_ends_in_an_ellipsis():
    fitted = fit_text(TITLES["long"], BOX, font_path=TITLE_FONT, max_size=88, min_size=34, fallbacks=())
    assert fitted.size == 34 and fitted.ellipsised
    assert fitted.lines[-1].endswith(ELLIPSIS)
    assert_inside(drawn_bbox(fitted), BOX)


def test_a_short_title_is_drawn_at_the_largest_size_on_one_line():
    fitted = fit_text("Tomatoes", BOX, font_path=TITLE_FONT, max_size=88, min_size=34, fallbacks=())
    assert fitted.size == 88 and fitted.lines == ("Tomatoes",) and not fitted.ellipsised


def test_a_word_wider_than_the_box_is_broken_and_accents_stay_on_their_letters():
    word = "e\u0301" * 60  # é as e + combining acute, 60 times
    fitted = fit_text(word, Box(0, 0, 300, 600), font_path=TITLE_FONT, max_size=60, min_size=20, fallbacks=())
    assert len(fitted.lines) > 1
    assert all(not line.startswith("\u0301") for line in fitted.lines)
    assert_inside(drawn_bbox(fitted, (300, 600)), Box(0, 0, 300, 600))


def test_a_box_too_small_for_one_line_draws_nothing():
    fitted = fit_text("Tomatoes", Box(0, 0, 400, 10), font_path=TITLE_FONT, max_size=60, min_size=30, fallbacks=())
    assert fitted.lines == ()


def test_arabic_is_drawn_right_to_left_from_the_right_edge_when_aligned_to_the_start():
    fitted = fit_text(TITLES["arabic"], BOX, font_path=TITLE_FONT, max_size=88, min_size=34, align="start",
                      fallbacks=())
    bbox = drawn_bbox(fitted)
    assert_inside(bbox, BOX)
    assert bbox[2] >= BOX.right - 4  # flush right, within the safety pixel and the glyph's side bearing


def test_cjk_without_a_font_for_it_is_reported_and_no_box_is_drawn():
    title = "如何在家里种植西红柿 Tomatoes"
    fitted = fit_text(title, BOX, font_path=TITLE_FONT, max_size=88, min_size=34, fallbacks=())
    assert set(fitted.missing) == set("如何在家里种植西红柿")
    assert fitted.lines == ("Tomatoes",)  # what the font has, nothing of the rest
    assert not has_glyph(TITLE_FONT, "如")


@needs_cjk_font
@pytest.mark.parametrize("title", ["如何在家里种植西红柿和黄瓜：阳台园艺完全指南，从播种到收获的每一步" * 2,
                                   "ベランダでトマトを育てる方法"])
def test_cjk_titles_are_drawn_with_the_fallback_font_inside_the_box(title):
    fitted = fit_text(title, BOX, font_path=TITLE_FONT, max_size=88, min_size=34, fallbacks=(CJK_FONT,))
    assert fitted.missing == () and fitted.font_path == CJK_FONT
    assert_inside(drawn_bbox(fitted), BOX)


def test_the_footer_font_fits_a_long_domain_in_a_short_box():
    box = Box(60, 1390, 940, 1460)
    fitted = fit_text("www.a-very-long-subdomain.of-an-example-blog-about-gardening.example.com", box,
                      font_path=FOOTER_FONT, max_size=46, min_size=18, fallbacks=())
    assert_inside(drawn_bbox(fitted), box)


@pytest.mark.parametrize("fallbacks", [(), tuple(SYSTEM_FALLBACKS)])
def test_a_script_no_installed_font_has_is_either_drawn_inside_or_reported(fallbacks):
    """Korean: Droid Sans Fallback has no Hangul; with no font for it the letters are named."""
    fitted = fit_text("베란다에서 토마토를 키우는 방법", BOX, font_path=TITLE_FONT, max_size=88, min_size=34,
                      fallbacks=fallbacks)
    if fitted.missing:
        assert "베" in fitted.missing and not any("베" in line for line in fitted.lines)
    else:
        assert_inside(drawn_bbox(fitted), BOX)
