"""The picture a shared atlas link shows in a chat or a feed: a 1200 x 630 PNG drawn with Pillow.

On the left, the page's name and its figures; on the right, the territory's
outline (its communes in fine lines) with the 10 km Lambert-93 cells of the
page's public records filled in. The cells come from the public projection,
so a sensitive record sits only in the cell the open data gives it, or in none.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from typing import Final

import msgspec
from PIL import Image, ImageDraw, ImageFont
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from cairn.core.grid import cell_origin

WIDTH: Final = 1200
HEIGHT: Final = 630
MAP_BOX: Final = (620, 40, 1170, 590)
"""Where the territory is drawn (left, top, right, bottom), in pixels."""
TEXT_LEFT: Final = 60
TEXT_WIDTH: Final = 520
VALUE_SIZES: Final = (60, 48, 40, 32)
"""A figure's number, as large as its column allows; labels line up under the largest."""

Colour = tuple[int, int, int]
BACKGROUND: Final[Colour] = (244, 241, 234)
INK: Final[Colour] = (31, 77, 58)
MUTED: Final[Colour] = (84, 97, 90)
TERRITORY: Final[Colour] = (219, 229, 211)
COMMUNE_LINE: Final[Colour] = (190, 204, 182)
HIGHLIGHT: Final[Colour] = (246, 214, 146)
CELL: Final[Colour] = (196, 83, 36)
"""The fill of a cell with public records; nothing else on the card has this colour."""
CELL_EDGE: Final[Colour] = (140, 52, 20)


class CardFigure(msgspec.Struct, frozen=True):
    """A number and what it counts, as the page's language writes them."""

    value: str
    label: str


class Card(msgspec.Struct, frozen=True, kw_only=True):
    """What one card says and shows."""

    kicker: str
    """A small line above the title ("Atlas Cairn")."""
    title: str
    subtitle: str | None = None
    figures: list[CardFigure]
    cells: list[str]
    """10 km cell codes to fill."""
    highlight: str | None = None
    """The INSEE code of a commune to colour (a commune's card)."""
    footer: str


class MapFrame:
    """Lambert-93 metres to card pixels: the territory fitted in `MAP_BOX`, north up."""

    def __init__(self, outline: BaseGeometry, box: tuple[int, int, int, int] = MAP_BOX) -> None:
        min_x, min_y, max_x, max_y = outline.bounds
        left, top, right, bottom = box
        self.scale = min((right - left) / (max_x - min_x), (bottom - top) / (max_y - min_y))
        self.origin_x = (
            left + ((right - left) - (max_x - min_x) * self.scale) / 2 - min_x * self.scale
        )
        self.origin_y = (
            top + ((bottom - top) - (max_y - min_y) * self.scale) / 2 + max_y * self.scale
        )

    def pixel(self, x: float, y: float) -> tuple[float, float]:
        """The card pixel of a Lambert-93 point."""
        return self.origin_x + x * self.scale, self.origin_y - y * self.scale

    def cell_box(self, code: str) -> tuple[float, float, float, float]:
        """A cell's square on the card: left, top, right, bottom."""
        x0, y0, metres = cell_origin(code)
        left, bottom = self.pixel(x0, y0)
        right, top = self.pixel(x0 + metres, y0 + metres)
        return left, top, right, bottom

    def cell_centre(self, code: str) -> tuple[int, int]:
        """The pixel at the middle of a cell's square."""
        left, top, right, bottom = self.cell_box(code)
        return round((left + right) / 2), round((top + bottom) / 2)


@cache
def _font_file(bold: bool) -> bytes:
    name = "DejaVuSans-Bold-Latin.ttf" if bold else "DejaVuSans-Latin.ttf"
    return files("cairn.atlas").joinpath("fonts", name).read_bytes()


@cache
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans (shipped with Cairn, see fonts/LICENSE.txt) at `size` pixels."""
    return ImageFont.truetype(io.BytesIO(_font_file(bold)), size)


def draw_card(card: Card, outline: BaseGeometry, communes: Mapping[str, BaseGeometry]) -> bytes:
    """The card as PNG bytes; `outline` and `communes` in Lambert-93 metres."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    frame = MapFrame(outline)
    _draw_territory(draw, frame, outline, communes, card.highlight)
    for code in card.cells:
        draw.rectangle(frame.cell_box(code), fill=CELL, outline=CELL_EDGE, width=1)
    _draw_text(draw, card)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _rings(geometry: BaseGeometry) -> Iterable[Polygon]:
    if isinstance(geometry, Polygon):
        yield geometry
    elif isinstance(geometry, MultiPolygon):
        yield from geometry.geoms


def _draw_territory(
    draw: ImageDraw.ImageDraw,
    frame: MapFrame,
    outline: BaseGeometry,
    communes: Mapping[str, BaseGeometry],
    highlight: str | None,
) -> None:
    for polygon in _rings(outline):
        draw.polygon([frame.pixel(x, y) for x, y in polygon.exterior.coords], fill=TERRITORY)
    for code, shape in communes.items():
        fill = HIGHLIGHT if code == highlight else None
        for polygon in _rings(shape):
            ring = [frame.pixel(x, y) for x, y in polygon.exterior.coords]
            draw.polygon(ring, fill=fill, outline=COMMUNE_LINE)
    for polygon in _rings(outline):
        draw.line([frame.pixel(x, y) for x, y in polygon.exterior.coords], fill=INK, width=3)


def _lines(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """`text` broken between words into lines of at most `width` pixels (a long word alone)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fit(
    text: str, sizes: Iterable[int], *, bold: bool, max_lines: int, width: int = TEXT_WIDTH
) -> tuple[list[str], ImageFont.FreeTypeFont]:
    """`text` at the largest of `sizes` where it fits; else at the smallest, cut with "…"."""
    lines: list[str] = []
    face = font(16, bold=bold)
    for size in sizes:
        face = font(size, bold=bold)
        lines = _lines(text, face, width)
        if len(lines) <= max_lines and all(face.getlength(line) <= width for line in lines):
            return lines, face
    kept = lines[:max_lines] or [""]
    last = kept[-1]
    while last and face.getlength(last + "…") > width:
        last = last[:-1].rstrip()
    return [*kept[:-1], last + "…"], face


def _draw_text(draw: ImageDraw.ImageDraw, card: Card) -> None:
    draw.text((TEXT_LEFT, 48), card.kicker, font=font(28, bold=True), fill=MUTED)
    y = 96
    title, face = _fit(card.title, (64, 56, 48, 40), bold=True, max_lines=3)
    for line in title:
        draw.text((TEXT_LEFT, y), line, font=face, fill=INK)
        y += round(face.size * 1.2)
    if card.subtitle:
        subtitle, face = _fit(card.subtitle, (30, 26), bold=False, max_lines=2)
        y += 4
        for line in subtitle:
            draw.text((TEXT_LEFT, y), line, font=face, fill=MUTED)
            y += round(face.size * 1.25)
    column = TEXT_WIDTH // max(1, len(card.figures))
    top = max(y + 24, 410)
    label_face = font(22)
    for index, figure in enumerate(card.figures):
        left = TEXT_LEFT + index * column
        value, face = _fit(
            figure.value, (60, 48, 40, 32), bold=True, max_lines=1, width=column - 16
        )
        draw.text((left, top), value[0], font=face, fill=INK)
        label, _ = _fit(figure.label, (22,), bold=False, max_lines=2, width=column - 16)
        for row, line in enumerate(label):
            draw.text(
                (left, top + VALUE_SIZES[0] + 12 + row * 27), line, font=label_face, fill=MUTED
            )
    draw.text((TEXT_LEFT, HEIGHT - 52), card.footer, font=font(22), fill=MUTED)
