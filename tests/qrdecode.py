"""Reading generated QR codes back, as a phone would: rasterise, then decode with zxing-cpp."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, urlsplit

import pypdfium2
import resvg_py
import zxingcpp
from PIL import Image


def decode(image: Image.Image) -> list[str]:
    """The texts of every QR code zxing-cpp finds in the image."""
    return [
        result.text
        for result in zxingcpp.read_barcodes(image.convert("L"))
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


def png(body: bytes) -> Image.Image:
    return Image.open(io.BytesIO(body))


def svg(body: bytes, dpi: float = 150.0) -> Image.Image:
    """resvg needs a DPI to turn mm into pixels; 150 dpi is a cheap office print."""
    return png(bytes(resvg_py.svg_to_bytes(svg_string=body.decode("utf-8"), dpi=dpi)))


def pdf_page(body: bytes, scale: float = 2.0) -> Image.Image:
    """The PDF's first page, rendered by PDFium (Chrome's PDF engine)."""
    document = pypdfium2.PdfDocument(body)
    try:
        return document[0].render(scale=scale).to_pil()
    finally:
        document.close()


def pdf_text(body: bytes) -> str:
    document = pypdfium2.PdfDocument(body)
    try:
        return str(document[0].get_textpage().get_text_bounded())
    finally:
        document.close()


def link_parts(link: str) -> tuple[str, str, dict[str, str]]:
    """Origin, path and query of a decoded link, parsed independently of Cairn's code."""
    parts = urlsplit(link)
    query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)
    assert len(query) == len(dict(query)), f"a parameter repeats in {link}"
    return f"{parts.scheme}://{parts.netloc}", parts.path, dict(query)
