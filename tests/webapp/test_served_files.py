"""The field app's files over HTTP: the build's compressed copies, their caching, and the rest."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.app import create_app
from cairn.core.http import accepted_encodings
from cairn.settings import Settings

SCRIPT = b"export const answer = 42;\n" * 40
BUILT = Settings().pwa_dir


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A small build: a page, a script with both compressed copies, a stylesheet with none."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_bytes(b"<!doctype html><main id=main></main>")
    (dist / "index.html.gz").write_bytes(gzip.compress(b"<!doctype html><main id=main></main>"))
    (dist / "assets" / "app-1a2b.js").write_bytes(SCRIPT)
    (dist / "assets" / "app-1a2b.js.br").write_bytes(b"brotli copy of the script")
    (dist / "assets" / "app-1a2b.js.gz").write_bytes(gzip.compress(SCRIPT))
    (dist / "assets" / "app-1a2b.css").write_bytes(b"main{color:red}")
    return dist


@pytest.fixture
async def client(built: Path, tmp_path: Path, dsn: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = Settings.from_env(
        {"CAIRN_DATA_DIR": str(tmp_path / "data"), "CAIRN_PWA_DIR": str(built)}
    )
    async with AsyncTestClient(app=create_app(settings, dsn)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", {"gzip", "deflate", "br", "zstd"}),
        ("br;q=0, gzip;q=0.5", {"gzip"}),
        ("GZIP ; q=1.0", {"gzip"}),
        ("br;q=nonsense, gzip", {"gzip"}),
        ("", set()),
        (None, set()),
    ],
)
def test_accepted_encodings_drop_refused_ones(header: str | None, expected: set[str]) -> None:
    assert accepted_encodings(header) == expected


async def test_the_smallest_accepted_copy_is_sent_with_its_coding(
    client: AsyncTestClient[Litestar],
) -> None:
    url = "/assets/app-1a2b.js"
    brotli = await client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert brotli.headers["content-encoding"] == "br"
    assert brotli.content == b"brotli copy of the script"  # as written, not decoded by httpx
    zipped = await client.get(url, headers={"Accept-Encoding": "gzip, br;q=0"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == SCRIPT
    plain = await client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == SCRIPT
    for answer in (brotli, zipped, plain):
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/javascript")
        assert answer.headers["vary"] == "Accept-Encoding"
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    etags = {answer.headers["etag"] for answer in (brotli, zipped, plain)}
    assert len(etags) == 3, "each coding is its own representation"


async def test_revalidation_answers_304_for_the_copy_the_client_holds(
    client: AsyncTestClient[Litestar],
) -> None:
    first = await client.get("/", headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    assert first.headers["cache-control"] == "public, max-age=0"
    again = await client.get(
        "/", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    other = await client.get(
        "/", headers={"Accept-Encoding": "identity", "If-None-Match": first.headers["etag"]}
    )
    assert other.status_code == 200 and other.content == b"<!doctype html><main id=main></main>"


async def test_a_file_without_copies_is_sent_as_is_and_copies_are_not_files(
    client: AsyncTestClient[Litestar],
) -> None:
    style = await client.get("/assets/app-1a2b.css", headers={"Accept-Encoding": "br, gzip"})
    assert style.status_code == 200 and "content-encoding" not in style.headers
    assert style.content == b"main{color:red}"
    for name in ("app-1a2b.js.br", "app-1a2b.js.gz"):
        assert (await client.get(f"/assets/{name}")).status_code == 404


def test_the_build_writes_compressed_copies_of_its_text_files() -> None:
    """`make pwa` leaves a gzip copy (and a brotli one) beside every script and stylesheet."""
    texts = [p for p in BUILT.rglob("*") if p.suffix in {".js", ".css", ".html"}]
    assert texts, "build the app first: make pwa"
    for path in texts:
        copy = path.with_name(path.name + ".gz")
        assert copy.is_file() and path.with_name(path.name + ".br").is_file(), path
        assert gzip.decompress(copy.read_bytes()) == path.read_bytes(), path
