"""Text that always fits its box: wrapped by words, overlong words broken, shrunk down to a
minimum size, then cut with an ellipsis; never drawn outside the box.

Every measure is the ink of the line as FreeType (and raqm, for Arabic joining and right-to-left
order) will draw it, not an estimate: a line fits when its drawn bounding box is inside the box,
lines are stacked at a fixed pitch and the whole block's ink (accents above capitals, descenders
below) must fit the box's height. A line of a right-to-left script is aligned to the box's right
edge when the text is aligned to its start.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import ImageDraw, ImageFont

from designs.render.fonts import SYSTEM_FALLBACKS, choose_font, font_at, without

ELLIPSIS = "\u2026"
#: Pixels kept free inside every box, so rounding in the drawing never lands on its edge.
_SAFETY = 1


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def inset(self, pixels: int) -> Box:
        return Box(self.left + pixels, self.top + pixels, self.right - pixels, self.bottom - pixels)


@dataclass(frozen=True)
class FittedText:
    """Lines placed in a box: each drawn at (x, baseline) with anchor ``ls`` in ``font``."""

    lines: tuple[str, ...]
    positions: tuple[tuple[int, int], ...]
    font_path: str
    size: int
    ellipsised: bool = False
    missing: tuple[str, ...] = ()

    def draw(self, draw: ImageDraw.ImageDraw, fill: tuple[int, ...]) -> None:
        font = font_at(self.font_path, self.size)
        for line, position in zip(self.lines, self.positions, strict=True):
            draw.text(position, line, font=font, fill=fill, anchor="ls")


def _ink(font: ImageFont.FreeTypeFont, line: str) -> tuple[int, int, int, int]:
    left, top, right, bottom = font.getbbox(line, anchor="ls")
    return int(left), int(top), int(right), int(bottom)


def _width(font: ImageFont.FreeTypeFont, line: str) -> int:
    left, _top, right, _bottom = _ink(font, line)
    return right - left


def _clusters(word: str) -> list[str]:
    """``word`` as characters with their combining marks attached (never split an accent off)."""
    clusters: list[str] = []
    for char in word:
        if clusters and (unicodedata.combining(char) or char in "\u200d\ufe0f"):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _break_word(word: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """A word wider than ``width`` cut into pieces that each fit (at least one cluster each);
    each cut is found by bisection, a few measures per piece."""
    clusters = _clusters(word)
    pieces: list[str] = []
    while clusters:
        low, high = 1, len(clusters)  # the longest prefix that fits is in [low, high]
        while low < high:
            middle = (low + high + 1) // 2
            if _width(font, "".join(clusters[:middle])) <= width:
                low = middle
            else:
                high = middle - 1
        pieces.append("".join(clusters[:low]))
        clusters = clusters[low:]
    return pieces


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap of ``text`` to lines whose ink is at most ``width`` wide."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if _width(font, candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        if _width(font, word) <= width:
            current = word
            continue
        *whole, current = _break_word(word, font, width)
        lines.extend(whole)
    if current:
        lines.append(current)
    return lines


def _is_rtl(line: str) -> bool:
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _place(
    lines: list[str], font: ImageFont.FreeTypeFont, box: Box, *, pitch: int, align: str, valign: str
) -> tuple[tuple[int, int], ...] | None:
    """Where each line is drawn for its block to sit in ``box``, or None when it does not fit."""
    inks = [_ink(font, line) for line in lines]
    top = min(i * pitch + ink[1] for i, ink in enumerate(inks))
    bottom = max(i * pitch + ink[3] for i, ink in enumerate(inks))
    height = bottom - top
    if height > box.height or any(ink[2] - ink[0] > box.width for ink in inks):
        return None
    spare = box.height - height
    first_baseline = box.top - top + {"top": 0, "bottom": spare}.get(valign, spare // 2)
    positions = []
    for i, (line, (left, _t, right, _b)) in enumerate(zip(lines, inks, strict=True)):
        width = right - left
        if align == "center":
            x = box.left + (box.width - width) // 2 - left
        elif _is_rtl(line):
            x = box.right - right
        else:
            x = box.left - left
        positions.append((x, first_baseline + i * pitch))
    return tuple(positions)


def _sizes(max_size: int, min_size: int) -> Iterator[int]:
    size = max_size
    while size > min_size:
        yield size
        size -= max(2, size // 12)
    yield min_size


def _ellipsise(line: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """``line`` cut (whole clusters, trailing spaces and punctuation dropped) so that it and an
    ellipsis fit ``width``."""
    clusters = _clusters(line)
    while clusters:
        head = "".join(clusters).rstrip(" ,.;:-\u2013\u2014")
        if head and _width(font, head + ELLIPSIS) <= width:
            return head + ELLIPSIS
        clusters.pop()
    return ELLIPSIS if _width(font, ELLIPSIS) <= width else ""


def fit_text(
    text: str,
    box: Box,
    *,
    font_path: str,
    max_size: int,
    min_size: int,
    align: str = "center",
    valign: str = "center",
    line_spacing: float = 1.18,
    fallbacks: tuple[str, ...] = SYSTEM_FALLBACKS,
) -> FittedText:
    """``text`` laid out inside ``box``: the largest size from ``max_size`` down to ``min_size``
    at which every word-wrapped line fits; at ``min_size`` the lines that fit, the last one
    ending in an ellipsis. Characters no font has are left out and named in ``missing``."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    choice = choose_font(text, font_path, fallbacks)
    text = without(text, choice.missing)
    inner = box.inset(_SAFETY)
    empty = FittedText((), (), choice.path, min_size, missing=choice.missing)
    if not text or inner.width <= 0 or inner.height <= 0:
        return empty

    def attempt(size: int) -> FittedText | None:
        font = font_at(choice.path, size)
        lines = wrap(text, font, inner.width)
        positions = _place(lines, font, inner, pitch=round(size * line_spacing), align=align, valign=valign)
        return None if positions is None else FittedText(tuple(lines), positions, choice.path, size,
                                                         missing=choice.missing)

    # The largest size that fits, by bisection over the sizes (smaller text never needs more room).
    sizes = list(_sizes(max_size, min_size))
    best: FittedText | None = None
    low, high = 0, len(sizes) - 1
    while low <= high:
        middle = (low + high) // 2
        fitted = attempt(sizes[middle])
        if fitted is not None:
            best, high = fitted, middle - 1
        else:
            low = middle + 1
    if best is not None:
        return best
    # At the smallest size it still does not fit: keep the lines that do, the last one cut.
    font = font_at(choice.path, min_size)
    pitch = round(min_size * line_spacing)
    lines = wrap(text, font, inner.width)
    for count in range(len(lines) - 1, 0, -1):
        kept = [*lines[: count - 1], _ellipsise(lines[count - 1], font, inner.width)]
        kept = [line for line in kept if line]
        if not kept:
            continue
        positions = _place(kept, font, inner, pitch=pitch, align=align, valign=valign)
        if positions is not None:
            return FittedText(tuple(kept), positions, choice.path, min_size, True, choice.missing)
    return empty
