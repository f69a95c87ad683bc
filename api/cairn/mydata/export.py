"""A contributor's copy of everything Cairn holds about them (GDPR art. 15 and 20), as a zip.

Written to a temporary file that spills to disk past a few MB, so a
contributor with hundreds of photos costs disk, not memory.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

import msgspec

README = """\
Your data in Cairn
==================

me.json            your device: its id, the pseudonym you chose (or none), when it was created
                   and last seen, and the id of your shared impact link (or none). Cairn never
                   stored your token, only a hash of it.
observations.json  every observation you sent, exactly as stored (precise position included),
                   with its status, the moderators' comment and its full history.
photos.json        your photos: size, content hash, and the capture time and GPS position read
                   from the file before it was stripped (kept for moderators only).
photos/            the stored photos themselves (re-encoded, without any metadata).

Everything is JSON (UTF-8). To erase your data: DELETE /api/v1/me, or "Delete my data" in the app.
"""

SPOOL_BYTES = 8 * 1_048_576


def write_archive(
    me: dict[str, Any],
    observations: list[dict[str, Any]],
    photos: list[dict[str, Any]],
    read_photo: Callable[[str], bytes | None],
) -> IO[bytes]:
    """Build the zip; `read_photo(sha256)` gives a photo's stored original."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (caller closes it)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr("me.json", msgspec.json.format(msgspec.json.encode(me)))
        archive.writestr(
            "observations.json", msgspec.json.format(msgspec.json.encode(observations))
        )
        archive.writestr("photos.json", msgspec.json.format(msgspec.json.encode(photos)))
        for entry in photos:
            data = read_photo(entry["sha256"])
            if data is not None:  # JPEG is already compressed
                archive.writestr(f"photos/{entry['id']}.jpg", data, zipfile.ZIP_STORED)
    out.seek(0)
    return out


def chunks(archive: IO[bytes], size: int = 256 * 1024) -> Iterator[bytes]:
    """Read the archive in pieces, closing it at the end."""
    with archive:
        while piece := archive.read(size):
            yield piece
