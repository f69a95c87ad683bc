"""One photo upload: check the owner, process once, store files, then record the row.

Files are written before the row that points at them, so a crash leaves at
worst an unreferenced file (harmless: keyed by content, reused by the next
identical upload), never a row without its files.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta, timezone
from typing import Any, TypeVar
from uuid import UUID

import asyncpg

from cairn.core.db import transaction
from cairn.core.errors import ConflictError, NotFoundError
from cairn.core.storage import PhotoStore
from cairn.observations import store as observations
from cairn.photos import store as photos
from cairn.photos.model import Observed, PhotoReceipt, Processed, photo_flags, process
from cairn.records import projection as public
from cairn.records.photos import VARIANTS, photo_key, photo_urls
from cairn.records.vocabulary import Flag
from cairn.settings import Settings

T = TypeVar("T")


class PhotoWork:
    """The photo store and the threads that decode photos (memory bound).

    A pool of its own, not the shared one: at most `workers` photos are in
    memory at once, and the C allocator keeps per-thread arenas, so few
    long-lived threads also keep the process's peak memory low. A photo gets
    a companion thread (`beside`) that makes a JPEG's smaller files from a
    scaled decode while the photo thread re-encodes the original, as long as
    threads at work stay within the worker count (at least two): an idle
    core shortens the wait, a busy one would only get the scaled decode as
    extra work, so under load each photo is made in one thread.
    """

    def __init__(self, store: PhotoStore, workers: int) -> None:
        self.store = store
        self.workers = workers
        self.in_hand = 0
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="photo")
        self.beside = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="photo-small")

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run blocking work in one of the photo threads."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, work, *args)

    async def process(self, raw: bytes, max_pixels: int) -> Processed:
        """Decode and re-encode one upload, with a companion thread while one is idle."""
        beside = self.beside if 2 * (self.in_hand + 1) <= max(2, self.workers) else None
        self.in_hand += 1
        try:
            return await self.run(process, raw, max_pixels, beside)
        finally:
            self.in_hand -= 1


def _save(store: PhotoStore, processed: Processed) -> None:
    for variant in VARIANTS:
        store.put(photo_key(processed.facts.sha256, variant), processed.files[variant])


def _receipt(stored: photos.StoredPhoto, flags: list[Flag]) -> PhotoReceipt:
    facts = stored.facts
    return PhotoReceipt(
        id=stored.id,
        sha256=facts.sha256,
        width=facts.width,
        height=facts.height,
        urls=photo_urls(facts.sha256),
        exif=facts.exif,
        flags=flags,
    )


def _replay(stored: photos.StoredPhoto, observation_id: UUID, upload: bytes) -> PhotoReceipt:
    """A photo id seen before: the same upload is answered as stored, anything else conflicts."""
    if stored.observation_id != observation_id:
        raise ConflictError("This photo id is already used by another observation.")
    if stored.upload_sha256 != upload:
        raise ConflictError(
            "A photo with this id exists with other content.",
            {"stored_sha256": stored.upload_sha256.hex(), "submitted_sha256": upload.hex()},
        )
    return _receipt(stored, [])


async def receive(
    pool: asyncpg.Pool,
    work: PhotoWork,
    settings: Settings,
    device: UUID,
    observation_id: UUID,
    photo_id: UUID,
    raw: bytes,
) -> tuple[PhotoReceipt, bool]:
    """Store one photo of the device's observation; (receipt, whether it was new)."""
    target = await observations.owned(pool, observation_id, device)
    if target is None:
        raise NotFoundError(f"no observation {observation_id} of this device")
    if target["status"] == "withdrawn":
        raise ConflictError("This observation was withdrawn; it takes no more photos.")
    upload = hashlib.sha256(raw).digest()
    existing = await photos.get(pool, photo_id)
    if existing is not None:
        return _replay(existing, observation_id, upload), False
    twin = await photos.by_upload(pool, upload)
    if twin is not None:
        facts = twin.facts
    else:
        processed = await work.process(raw, settings.max_photo_pixels)
        await work.run(_save, work.store, processed)
        facts = processed.facts
    observed = Observed(
        lon=target["lon"],
        lat=target["lat"],
        accuracy_m=target["accuracy_m"],
        observed_at=target["observed_at"].astimezone(
            timezone(timedelta(seconds=target["observed_offset_s"]))
        ),
    )
    flags = photo_flags(str(photo_id), facts.exif, observed)
    async with transaction(pool) as conn:
        stored = await photos.insert(conn, photo_id, observation_id, upload, facts)
        if stored is None:  # the same photo id, uploaded concurrently, committed first
            raced = await photos.get(conn, photo_id)
            if raced is None:  # deleted again in between: let the client retry
                raise asyncpg.exceptions.SerializationError("photo vanished during upload")
            return _replay(raced, observation_id, upload), False
        await photos.add_flags(conn, observation_id, flags)
        await public.project(conn, [observation_id])
    return _receipt(stored, flags), True


async def remove(
    pool: asyncpg.Pool, work: PhotoWork, device: UUID, observation_id: UUID, photo_id: UUID
) -> None:
    """Delete one photo of the device's observation, and its files if nothing else uses them."""
    if await observations.owned(pool, observation_id, device) is None:
        raise NotFoundError(f"no observation {observation_id} of this device")
    async with transaction(pool) as conn:
        sha = await photos.delete(conn, photo_id, observation_id)
        if sha is None:
            raise NotFoundError(f"no photo {photo_id} on this observation")
        await public.project(conn, [observation_id])
    await forget_files(pool, work, [sha])


async def forget_files(pool: asyncpg.Pool, work: PhotoWork, hashes: list[str]) -> None:
    """Delete the files of `hashes` that no photo row refers to any more."""
    async with transaction(pool) as conn:
        orphans = await photos.unused(conn, hashes)
    for sha in orphans:
        for variant in VARIANTS:
            await work.run(work.store.delete, photo_key(sha, variant))
