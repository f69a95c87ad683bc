"""Draw the app icons (a cairn of three stones on the park green) with Pillow.

Run once when the design changes: `.venv/bin/python pwa/scripts/icons.py`;
the PNGs are committed so the build needs no Python.
"""

import sys
from pathlib import Path

from PIL import Image, ImageDraw

GREEN = (31, 77, 58)
STONES = [(232, 226, 212), (201, 192, 172), (168, 158, 138)]
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"


def icon(size: int, padding: float) -> Image.Image:
    """Three stacked stones, `padding` (fraction of the side) kept clear around them."""
    image = Image.new("RGB", (size, size), GREEN)
    draw = ImageDraw.Draw(image)
    inner = size * (1 - 2 * padding)
    left = size * padding
    heights = [0.22, 0.26, 0.32]
    widths = [0.42, 0.62, 0.84]
    bottom = size * padding + inner * 0.92
    for height, width, colour in zip(
        reversed(heights), reversed(widths), reversed(STONES), strict=True
    ):
        h, w = inner * height, inner * width
        x0 = left + (inner - w) / 2
        draw.ellipse((x0, bottom - h, x0 + w, bottom), fill=colour)
        bottom -= h * 0.82
    return image


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, 0.08).save(OUT / "icon-192.png", optimize=True)
    icon(512, 0.08).save(OUT / "icon-512.png", optimize=True)
    icon(512, 0.2).save(OUT / "maskable-512.png", optimize=True)
    icon(180, 0.08).save(OUT / "apple-touch-icon.png", optimize=True)
    sys.stdout.write(f"icons written to {OUT}\n")
