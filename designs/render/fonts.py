"""The fonts a design is drawn with, and which characters each can draw.

The repository ships the DejaVu fonts (``designs/fonts/``, Bitstream Vera license beside them):
Sans for the footer, Sans Bold or Serif Bold for titles. They cover Latin with its accents,
Greek, Cyrillic, Arabic, Hebrew, Armenian and Georgian. Other scripts (Chinese, Japanese, Korean,
Devanagari...) need a font the machine has: ``fallbacks`` are font files tried in order, the first
that has every character of a text draws it (Debian's Droid Sans Fallback, 4 MB, is found by
default when installed; a full CJK font is too big to keep in the repository).

A character no font has is never drawn as a box: ``chain_for`` says which characters are
missing, the renderer leaves them out and reports them, and the service refuses to make a pin of
such a design. Whether a font has a character is asked of FreeType by drawing it: a character the
font lacks is drawn as the font's ``.notdef`` glyph, so its mask equals that of a code point no
font has (U+10FFFF); the answer is cached per font and character.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"

#: The families a project may choose, as (title font, footer font) file names in ``FONT_DIR``.
FAMILIES: dict[str, tuple[str, str]] = {
    "sans": ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf"),
    "serif": ("DejaVuSerif-Bold.ttf", "DejaVuSans.ttf"),
}
DEFAULT_FAMILY = "sans"

#: Font files tried for characters the project's family lacks, when they exist on the machine.
SYSTEM_FALLBACKS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf",  # Korean (Droid Sans Fallback has no Hangul)
)

_NEVER_A_GLYPH = "\U0010ffff"
_PROBE_SIZE = 24


@lru_cache(maxsize=64)
def font_at(path: str, size: int) -> ImageFont.FreeTypeFont:
    """The font file at ``path`` at ``size`` px, loaded once per size (complex layout by raqm
    when Pillow has it: Arabic joined, Hebrew and Arabic right to left)."""
    return ImageFont.truetype(path, size)


@lru_cache(maxsize=8)
def _notdef_mask(path: str) -> tuple[tuple[int, int], bytes]:
    font = ImageFont.truetype(path, _PROBE_SIZE, layout_engine=ImageFont.Layout.BASIC)
    mask = font.getmask(_NEVER_A_GLYPH)
    return mask.size, bytes(mask)


@lru_cache(maxsize=20_000)
def has_glyph(path: str, char: str) -> bool:
    """Whether the font at ``path`` draws ``char`` with a glyph of its own (not ``.notdef``).
    Spaces, controls and marks that draw nothing count as drawable."""
    if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs"):
        return True
    font = ImageFont.truetype(path, _PROBE_SIZE, layout_engine=ImageFont.Layout.BASIC)
    mask = font.getmask(char)
    return (mask.size, bytes(mask)) != _notdef_mask(path)


def missing_chars(path: str, text: str) -> list[str]:
    """The distinct characters of ``text`` the font at ``path`` lacks, in order of appearance."""
    seen: list[str] = []
    for char in text:
        if char not in seen and not has_glyph(path, char):
            seen.append(char)
    return seen


@dataclass(frozen=True)
class FontChoice:
    """The font file a text is drawn with, and the characters no font had (left out)."""

    path: str
    missing: tuple[str, ...] = ()


def family_paths(family: str) -> tuple[str, str]:
    """(title font, footer font) paths of a family; an unknown name is the default family."""
    title, footer = FAMILIES.get(family, FAMILIES[DEFAULT_FAMILY])
    return str(FONT_DIR / title), str(FONT_DIR / footer)


def choose_font(text: str, primary: str, fallbacks: tuple[str, ...] = SYSTEM_FALLBACKS) -> FontChoice:
    """The first of ``primary`` and the existing ``fallbacks`` that has every character of
    ``text``; when none has them all, the one missing the fewest, with those it misses."""
    best: FontChoice | None = None
    for path in (primary, *(p for p in fallbacks if Path(p).is_file())):
        missing = missing_chars(path, text)
        if not missing:
            return FontChoice(path)
        if best is None or len(missing) < len(best.missing):
            best = FontChoice(path, tuple(missing))
    assert best is not None
    return best


def without(text: str, chars: tuple[str, ...]) -> str:
    """``text`` with ``chars`` left out (what no font can draw), spaces tidied."""
    if not chars:
        return text
    kept = "".join(c for c in text if c not in chars)
    return " ".join(kept.split())
