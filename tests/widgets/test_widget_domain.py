"""Widget rules that need no server: the search box, allowed origins, colour contrast."""

from __future__ import annotations

import math
import re
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cairn.core.errors import InvalidInputError
from cairn.settings import Settings, SettingsError
from cairn.widgets.builder_model import embed_snippets, prepare_builder
from cairn.widgets.builder_page import render_builder
from cairn.widgets.model import bbox_around, content_security_policy, cors_origin, parse_widget


def destination(lon: float, lat: float, bearing: float, km: float) -> tuple[float, float]:
    """The point `km` away on a great circle (the textbook formula, written out here)."""
    d = km / 6371.0088
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    phi2 = math.asin(math.sin(phi) * math.cos(d) + math.cos(phi) * math.sin(d) * math.cos(theta))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(d) * math.cos(phi), math.cos(d) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(lam2), math.degrees(phi2)


@given(
    st.floats(min_value=-170, max_value=170),
    st.floats(min_value=-80, max_value=80),
    st.floats(min_value=0.5, max_value=50),
    st.floats(min_value=0, max_value=360),
)
def test_the_box_holds_the_whole_circle(lon: float, lat: float, km: float, bearing: float) -> None:
    min_lon, min_lat, max_lon, max_lat = bbox_around(lon, lat, km)
    edge_lon, edge_lat = destination(lon, lat, bearing, km * 0.999)
    assert min_lon <= edge_lon <= max_lon
    assert min_lat <= edge_lat <= max_lat
    assert max_lat - min_lat < 2 * km / 111.0 + 1e-9, "no wider than the circle needs"


def test_the_box_is_clamped_to_the_world() -> None:
    assert bbox_around(179.99, 89.99, 50)[2:] == (180.0, 90.0)
    assert bbox_around(-179.99, -89.99, 50)[:2] == (-180.0, -90.0)


@pytest.mark.parametrize(
    ("allowed", "origin", "expected"),
    [
        (("*",), None, "*"),
        (("*",), "https://any.example", "*"),
        (("https://hotel.example",), "https://hotel.example", "https://hotel.example"),
        (("https://hotel.example",), "http://hotel.example", None),
        (("https://hotel.example",), None, None),
        (("https://*.resort.example",), "https://ski.resort.example", "https://ski.resort.example"),
        (("https://*.resort.example",), "https://resort.example", None),
        (("https://*.resort.example",), "https://evilresort.example", None),
        (("https://*.resort.example",), "http://ski.resort.example", None),
    ],
)
def test_cors_follows_the_allowed_origins(
    allowed: tuple[str, ...], origin: str | None, expected: str | None
) -> None:
    assert cors_origin(allowed, origin) == expected


def test_csp_lets_photos_come_from_the_public_host() -> None:
    csp = content_security_policy(("*",), "https://cairn.example.org/sub")
    assert "img-src 'self' https://cairn.example.org;" in csp
    assert csp.endswith("frame-ancestors *")


def test_widget_origins_setting() -> None:
    assert Settings.from_env({}).widget_origins == ("*",)
    settings = Settings.from_env(
        {"CAIRN_WIDGET_ORIGINS": "https://a.example, http://127.0.0.1:8080,https://*.b.example"}
    )
    assert settings.widget_origins == (
        "https://a.example",
        "http://127.0.0.1:8080",
        "https://*.b.example",
    )


@pytest.mark.parametrize(
    "bad", ["a.example", "https://a.example/path", "ftp://a.example", "https://A.example", "'self'"]
)
def test_bad_widget_origins_stop_the_start(bad: str) -> None:
    with pytest.raises(SettingsError, match="CAIRN_WIDGET_ORIGINS"):
        Settings.from_env({"CAIRN_WIDGET_ORIGINS": bad})


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def expand(colour: str) -> str:
    return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour


@pytest.mark.parametrize("theme", [":root", ".theme-dark"])
def test_both_themes_meet_wcag_aa_contrast(theme: str) -> None:
    css = files("cairn.widgets").joinpath("widget.css").read_text("utf-8")
    block = re.search(re.escape(theme) + r"\{([^}]*)\}", css)
    assert block
    colours = {k: expand(v) for k, v in re.findall(r"--(\w+):(#[0-9a-f]{3,6})", block.group(1))}
    assert {"bg", "fg", "muted", "accent"} <= colours.keys()
    for text in ("fg", "muted", "accent"):
        assert contrast(colours[text], colours["bg"]) >= 4.5, text
    assert contrast(colours["bg"], colours["accent"]) >= 4.5, "the call-to-action button"


optional_text = st.none() | st.text(max_size=40)
COMMUNES = {"05023": "Briançon", "05093": "Névache"}


@given(
    st.sampled_from(["recent", "species-of-the-month", "programme"]),
    st.fixed_dictionaries(
        dict.fromkeys(
            ("lang", "size", "theme", "programme", "commune", "near", "radius_km"), optional_text
        )
    ),
)
def test_any_widget_query_either_configures_or_lists_its_errors(
    widget: str, query: dict[str, str | None]
) -> None:
    try:
        config = parse_widget(widget, base_url="https://c.example", communes=COMMUNES, **query)
    except InvalidInputError as exc:
        assert exc.errors
        assert all(e.pointer.startswith("/query/") for e in exc.errors)
    else:
        assert config.widget == widget
        assert config.lang in {"fr", "en", "it"}
        snippets = embed_snippets("https://c.example", config)
        assert snippets.url.startswith(f"https://c.example/widgets/{widget}?")


@given(
    optional_text,
    st.fixed_dictionaries(dict.fromkeys(("widget", "near", "commune", "lang"), optional_text)),
)
def test_the_builder_never_fails_whatever_is_typed(
    ui: str | None, query: dict[str, str | None]
) -> None:
    form = prepare_builder(
        ui, query, base_url="https://c.example", communes=COMMUNES, origins=("*",)
    )
    assert form.ui in {"fr", "en", "it"}
    assert (form.snippets is None) or not form.errors
    assert len(render_builder(form)) > 0
