"""The pin templates, each a function drawing a 1000x1500 canvas (Pinterest's 2:3).

- ``photo_band``: the article's image full-bleed, the title on a band of the project's colour;
- ``split``: the image above, the title below on the project's colour;
- ``text``: the title alone on the project's colour (the fallback of the others);
- ``collage``: two to four of the article's images around a title band.

A template is given the images it can use (already checked and downscaled by ``images.cover``)
and draws text only through ``text.fit_text``, so no title leaves its box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageColor, ImageDraw

from designs.render.fonts import SYSTEM_FALLBACKS, family_paths
from designs.render.images import ImageSource, contain
from designs.render.text import Box, FittedText, fit_text

WIDTH, HEIGHT = 1000, 1500
SIZE = (WIDTH, HEIGHT)


@dataclass(frozen=True)
class Style:
    """A project's look: colours as #rrggbb, a font family (``fonts.FAMILIES``), a footer."""

    background: str = "#1f2a44"
    text: str = "#ffffff"
    accent: str = "#e60023"
    family: str = "sans"
    footer_text: str = ""
    logo: ImageSource | None = None
    fallback_fonts: tuple[str, ...] | None = None

    def rgb(self, name: str) -> tuple[int, int, int]:
        red, green, blue = ImageColor.getrgb(getattr(self, name))[:3]
        return red, green, blue


@dataclass
class Canvas:
    """What a template draws on, and what its text reported."""

    style: Style
    image: Image.Image = field(init=False)
    draw: ImageDraw.ImageDraw = field(init=False)
    fitted: list[FittedText] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.image = Image.new("RGB", SIZE, self.style.rgb("background"))
        self.draw = ImageDraw.Draw(self.image)

    def rect(self, box: Box, colour: str) -> None:
        self.draw.rectangle((box.left, box.top, box.right - 1, box.bottom - 1), fill=self.style.rgb(colour))

    def text(self, text: str, box: Box, *, max_size: int, min_size: int, footer: bool = False,
             colour: str = "text", align: str = "center") -> None:
        title_font, footer_font = family_paths(self.style.family)
        fallbacks = SYSTEM_FALLBACKS if self.style.fallback_fonts is None else self.style.fallback_fonts
        fitted = fit_text(text, box, font_path=footer_font if footer else title_font,
                          max_size=max_size, min_size=min_size, align=align, fallbacks=fallbacks)
        fitted.draw(self.draw, self.style.rgb(colour))
        self.fitted.append(fitted)

    def footer(self, box: Box, colour: str = "text") -> None:
        """The project's logo, or its footer text (a domain), centred in ``box``."""
        logo = contain(self.style.logo, (box.width, box.height)) if self.style.logo is not None else None
        if logo is not None:
            x = box.left + (box.width - logo.width) // 2
            y = box.top + (box.height - logo.height) // 2
            self.image.paste(logo, (x, y), logo)
        elif self.style.footer_text:
            self.text(self.style.footer_text, box, max_size=box.height * 2 // 3, min_size=18,
                      footer=True, colour=colour)


Template = Callable[[Canvas, str, list[Image.Image]], None]


def photo_band(canvas: Canvas, title: str, images: list[Image.Image]) -> None:
    canvas.image.paste(images[0], (0, 0))
    canvas.rect(Box(0, 960, WIDTH, HEIGHT), "background")
    canvas.rect(Box(0, 960, WIDTH, 972), "accent")
    canvas.text(title, Box(60, 1000, 940, 1370), max_size=88, min_size=34)
    canvas.footer(Box(60, 1390, 940, 1460))


def split(canvas: Canvas, title: str, images: list[Image.Image]) -> None:
    canvas.image.paste(images[0], (0, 0))
    canvas.rect(Box(70, 860, 250, 872), "accent")
    canvas.text(title, Box(70, 900, 930, 1370), max_size=84, min_size=32, align="start")
    canvas.footer(Box(70, 1390, 930, 1460))


def text(canvas: Canvas, title: str, images: list[Image.Image]) -> None:
    canvas.rect(Box(90, 200, 290, 214), "accent")
    canvas.text(title, Box(90, 260, 910, 1240), max_size=120, min_size=40, align="start")
    canvas.rect(Box(90, 1300, 910, 1302), "text")
    canvas.footer(Box(90, 1340, 910, 1420))


def _collage_cells(count: int) -> list[Box]:
    top, bottom = (0, 0, WIDTH, 560), (0, 940, WIDTH, HEIGHT)
    gap = 6
    if count == 2:
        return [Box(*top), Box(*bottom)]
    if count == 3:
        return [Box(*top), Box(0, 940, WIDTH // 2 - gap, HEIGHT), Box(WIDTH // 2 + gap, 940, WIDTH, HEIGHT)]
    half = WIDTH // 2
    return [Box(0, 0, half - gap, 560), Box(half + gap, 0, WIDTH, 560),
            Box(0, 940, half - gap, HEIGHT), Box(half + gap, 940, WIDTH, HEIGHT)]


def collage(canvas: Canvas, title: str, images: list[Image.Image]) -> None:
    for cell, image in zip(_collage_cells(len(images)), images, strict=True):
        canvas.image.paste(image, (cell.left, cell.top))
    canvas.rect(Box(0, 560, WIDTH, 940), "background")
    canvas.rect(Box(440, 590, 560, 600), "accent")
    canvas.text(title, Box(60, 620, 940, 860), max_size=80, min_size=30)
    canvas.footer(Box(60, 870, 940, 920))


@dataclass(frozen=True)
class TemplateSpec:
    """A template, the size of each image it composes, and its name shown to people."""

    name: str
    label: str
    draw: Template
    cells: Callable[[int], list[tuple[int, int]]]
    min_images: int = 0
    max_images: int = 0


def _fixed(*sizes: tuple[int, int]) -> Callable[[int], list[tuple[int, int]]]:
    return lambda _count: list(sizes)


TEMPLATES: dict[str, TemplateSpec] = {
    spec.name: spec for spec in (
        TemplateSpec("photo_band", "Photo with title band", photo_band, _fixed((WIDTH, 960)), 1, 1),
        TemplateSpec("split", "Photo and text", split, _fixed((WIDTH, 820)), 1, 1),
        TemplateSpec("text", "Text on colour", text, _fixed()),
        TemplateSpec("collage", "Collage", collage,
                     lambda count: [(b.width, b.height) for b in _collage_cells(count)], 2, 4),
    )
}
