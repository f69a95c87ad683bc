"""Drawing trail QR codes and A4 posters, in memory.

The code comes from segno (a maintained, pure-Python QR encoder); the poster is
laid out once (`poster_layout`, in millimetres) and drawn either as SVG or as a
PDF (fpdf2), so both formats always carry the same words at the same places.
The code is drawn as filled rectangles in both, so it stays sharp at any print
size.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Final
from xml.sax.saxutils import escape, quoteattr

import msgspec
import segno
from fpdf import FPDF
from fpdf.fonts import CORE_FONTS_CHARWIDTHS

from cairn.share.model import CALLS_TO_ACTION, PDF_ENCODING, ShareTarget, poster_languages

ERROR_LEVEL: Final = "m"
"""15 % of the code may be dirty or torn; segno raises it when the data allows."""
QUIET_ZONE: Final = 4
"""Modules of white border that scanners need around the code."""
INK: Final = "#111111"
ACCENT: Final = "#1f5130"
"""A dark green: 9.6:1 against white, readable from a distance."""

REPRODUCIBLE_DATE: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""The PDF's creation date, fixed (as SOURCE_DATE_EPOCH=0 does for builds): the same poster
is then the same bytes, so its ETag holds and caches revalidate with a 304."""

RENDERED_KEPT: Final = 512
"""Codes and posters kept in memory (a few MB at most)."""

PAGE_W: Final = 210.0
PAGE_H: Final = 297.0
MARGIN: Final = 15.0
PRINT_W: Final = PAGE_W - 2 * MARGIN
PT: Final = 0.3528
"""Millimetres in a typographic point."""


def encode(link: str) -> segno.QRCode:
    """The QR code of a link (never a Micro QR: phones do not read those)."""
    return segno.make(link, error=ERROR_LEVEL, boost_error=True, micro=False)


def qr_png(code: segno.QRCode, scale: int) -> bytes:
    """A black-on-white PNG with its quiet zone."""
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()


def qr_svg(code: segno.QRCode, scale: int, title: str) -> bytes:
    """An SVG of the code on white (a transparent one fails on dark pages), titled."""
    out = io.BytesIO()
    code.save(
        out, kind="svg", scale=scale, border=QUIET_ZONE, title=title, dark=INK, light="#ffffff"
    )
    return out.getvalue()


class Run(msgspec.Struct, frozen=True, array_like=True):
    """A horizontal run of dark modules: column, row, length (in modules)."""

    x: int
    y: int
    length: int


def dark_runs(code: segno.QRCode) -> list[Run]:
    """The code's dark modules merged into rows of runs: few shapes, no hairline gaps."""
    runs: list[Run] = []
    for y, row in enumerate(code.matrix_iter(scale=1, border=0)):
        start: int | None = None
        for x, dark in enumerate([*row, False]):
            if dark and start is None:
                start = x
            elif not dark and start is not None:
                runs.append(Run(start, y, x - start))
                start = None
    return runs


class Line(msgspec.Struct, frozen=True, kw_only=True):
    """One line of poster text, centred on the page at baseline `y` (mm)."""

    text: str
    y: float
    size: float
    """Points."""
    bold: bool = False
    mono: bool = False
    colour: str = INK
    lang: str | None = None


class PosterLayout(msgspec.Struct, frozen=True, kw_only=True):
    """Everything on the page: the lines, the code's box (mm) and its modules."""

    lines: list[Line]
    qr_x: float
    qr_y: float
    qr_size: float
    modules: int
    runs: list[Run]
    band_h: float
    lang: str


class _Cursor:
    """Stacks lines down the page, wrapping each text to the printable width."""

    def __init__(self, y: float) -> None:
        self.y = y
        self.lines: list[Line] = []

    def add(
        self,
        text: str,
        size: float,
        *,
        gap: float = 0.0,
        bold: bool = False,
        mono: bool = False,
        colour: str = INK,
        lang: str | None = None,
    ) -> None:
        self.y += gap
        for part in _wrap(text, size, bold=bold, mono=mono):
            self.y += size * PT * 1.25
            self.lines.append(
                Line(
                    text=part,
                    y=round(self.y, 2),
                    size=size,
                    bold=bold,
                    mono=mono,
                    colour=colour,
                    lang=lang,
                )
            )


def text_width(text: str, size: float, *, bold: bool = False, mono: bool = False) -> float:
    """Printed width in mm, from the PDF core fonts' own metrics (1/1000 em per glyph).

    Characters Helvetica lacks (SVG posters only) count as a wide 0.6 em.
    """
    widths = CORE_FONTS_CHARWIDTHS["courier" if mono else "helveticaB" if bold else "helvetica"]
    total = 0
    for char in text:
        try:
            total += widths.get(chr(char.encode(PDF_ENCODING)[0]), 600)
        except UnicodeEncodeError:
            total += 600
    return total / 1000 * size * PT


def _wrap(text: str, size: float, *, bold: bool, mono: bool) -> Iterator[str]:
    """Greedy lines no wider than the printable width; a word too long is cut after a
    hyphen when it has one (a slug), anywhere otherwise (a URL)."""

    def fits(candidate: str) -> bool:
        return text_width(candidate, size, bold=bold, mono=mono) <= PRINT_W

    line = ""
    for word in text.split(" ") if not mono else [text]:
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
            continue
        if line:
            yield line
        line = ""
        for char in word:
            if not fits(line + char):
                cut = max(line.rfind("-"), line.rfind("_")) + 1 if not mono else 0
                yield line[: cut or None]
                line = line[cut:] if cut else ""
            line += char
    yield line


def poster_layout(
    title: str, target: ShareTarget, link: str, code: segno.QRCode, lang: str
) -> PosterLayout:
    """Place the words and the code on an A4 page, `lang` first."""
    first, *others = poster_languages(lang)
    words = CALLS_TO_ACTION[first]
    band_h = 22.0
    top = _Cursor(band_h + 4)
    top.add(title, 26, bold=True, colour=ACCENT)
    if target.place is not None:
        top.add(target.place, 16, gap=1)
    top.add(words.headline, 20, bold=True, gap=3, lang=first)
    modules = int(code.symbol_size(scale=1, border=QUIET_ZONE)[0])
    qr_size = 125.0
    qr_y = top.y + 4
    below = _Cursor(qr_y + qr_size)
    below.add(link, 8, mono=True)
    below.add(words.scan, 12, bold=True, gap=3, lang=first)
    below.add(words.body, 11, gap=1, lang=first)
    below.add(words.offline, 11, lang=first)
    for other_lang in others:
        other = CALLS_TO_ACTION[other_lang]
        below.add(f"{other.headline} {other.scan}", 9, bold=True, gap=3, lang=other_lang)
        below.add(other.body, 9, lang=other_lang)
    return PosterLayout(
        lines=top.lines + below.lines,
        qr_x=(PAGE_W - qr_size) / 2,
        qr_y=qr_y,
        qr_size=qr_size,
        modules=modules,
        runs=dark_runs(code),
        band_h=band_h,
        lang=first,
    )


def poster_svg(layout: PosterLayout, title: str) -> bytes:
    """The poster as an A4 SVG (mm units); text stays text, for screen readers and editing."""
    module = layout.qr_size / layout.modules
    origin_x = layout.qr_x + QUIET_ZONE * module
    origin_y = layout.qr_y + QUIET_ZONE * module
    path = "".join(f"M{r.x} {r.y}h{r.length}v1h-{r.length}z" for r in layout.runs)
    texts = "\n".join(_svg_line(line) for line in layout.lines)
    svg = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W}mm" height="{PAGE_H}mm" \
viewBox="0 0 {PAGE_W} {PAGE_H}" lang="{layout.lang}" role="img">
<title>{escape(title)}</title>
<rect width="{PAGE_W}" height="{PAGE_H}" fill="#ffffff"/>
<rect width="{PAGE_W}" height="{layout.band_h}" fill="{ACCENT}"/>
<text x="{PAGE_W / 2}" y="{layout.band_h * 0.68}" text-anchor="middle" \
font-family="Helvetica, Arial, sans-serif" font-weight="bold" font-size="{18 * PT:.2f}" \
fill="#ffffff">Cairn</text>
<rect x="{layout.qr_x}" y="{layout.qr_y}" width="{layout.qr_size}" height="{layout.qr_size}" \
fill="#ffffff"/>
<path transform="translate({origin_x:.3f} {origin_y:.3f}) scale({module:.5f})" fill="{INK}" \
shape-rendering="crispEdges" d="{path}"/>
{texts}
</svg>
"""
    return svg.encode("utf-8")


def _svg_line(line: Line) -> str:
    family = "Courier, monospace" if line.mono else "Helvetica, Arial, sans-serif"
    weight = ' font-weight="bold"' if line.bold else ""
    lang = f" xml:lang={quoteattr(line.lang)}" if line.lang else ""
    return (
        f'<text x="{PAGE_W / 2}" y="{line.y}" text-anchor="middle" font-family="{family}" '
        f'font-size="{line.size * PT:.2f}" fill="{line.colour}"{weight}{lang}>'
        f"{escape(line.text)}</text>"
    )


def poster_pdf(layout: PosterLayout, title: str) -> bytes:
    """The poster as a one-page A4 PDF with the built-in fonts (nothing to embed)."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.core_fonts_encoding = PDF_ENCODING
    pdf.set_title(_printable(title))
    pdf.set_creator("Cairn")
    pdf.set_creation_date(REPRODUCIBLE_DATE)
    pdf.set_lang(layout.lang)
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_fill_color(ACCENT)
    pdf.rect(0, 0, PAGE_W, layout.band_h, style="F")
    _pdf_text(pdf, Line(text="Cairn", y=layout.band_h * 0.68, size=18, bold=True), "#ffffff")
    module = layout.qr_size / layout.modules
    origin_x = layout.qr_x + QUIET_ZONE * module
    origin_y = layout.qr_y + QUIET_ZONE * module
    pdf.set_fill_color(INK)
    for run in layout.runs:
        pdf.rect(
            origin_x + run.x * module, origin_y + run.y * module, run.length * module, module, "F"
        )
    for line in layout.lines:
        _pdf_text(pdf, line, line.colour)
    return bytes(pdf.output())


def _pdf_text(pdf: FPDF, line: Line, colour: str) -> None:
    pdf.set_font("Courier" if line.mono else "Helvetica", "B" if line.bold else "", line.size)
    pdf.set_text_color(colour)
    text = _printable(line.text)
    pdf.text((PAGE_W - pdf.get_string_width(text)) / 2, line.y, text)


def _printable(text: str) -> str:
    """Characters Helvetica cannot print become '?' (places are checked before; names not)."""
    return text.encode(PDF_ENCODING, errors="replace").decode(PDF_ENCODING)


@lru_cache(maxsize=RENDERED_KEPT)
def qr_file(link: str, fmt: str, scale: int, title: str) -> bytes:
    """The code as PNG or SVG, kept: a board's repeated scans and reloads cost nothing."""
    code = encode(link)
    return qr_png(code, scale) if fmt == "png" else qr_svg(code, scale, title)


@lru_cache(maxsize=RENDERED_KEPT)
def poster_file(link: str, fmt: str, title: str, target: ShareTarget, lang: str) -> bytes:
    """The poster as PDF or SVG, kept like `qr_file`."""
    layout = poster_layout(title, target, link, encode(link), lang)
    return poster_pdf(layout, title) if fmt == "pdf" else poster_svg(layout, title)
