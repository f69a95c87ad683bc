"""Photos: uploaded raw by the observation's device, served by content hash with long caching."""

from __future__ import annotations

from typing import Annotated, Any, Final
from uuid import UUID

from litestar import Request, Response, Router, delete, get, put
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, PathParameter

from cairn.contributors.devices import SignedDevice, device_token, signed_device
from cairn.core.deps import AppSettings, DbPool
from cairn.core.problems import ProblemError, responses
from cairn.core.storage import InvalidKeyError, checked
from cairn.photos import store as photos
from cairn.photos.deps import PhotoWorkDep
from cairn.photos.model import PhotoReceipt
from cairn.photos.service import receive, remove
from cairn.records.disclosure import photo_cache_control
from cairn.staff.auth import optional_staff
from cairn.staff.policy import scope_for
from cairn.staff.scope import RecordScope

_IMAGE_TYPES: Final = ("image/", "application/octet-stream")


async def _read_body(request: Request[Any, Any, State], limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it exceeds `limit` (never buffered past it)."""
    too_large = ProblemError(
        413,
        "body_too_large",
        "Photo too large",
        f"A photo may have at most {limit:,} bytes; downscale it on the device first.",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


@put(
    "/observations/{observation_id:uuid}/photos/{photo_id:uuid}",
    summary="Attach a photo to my observation (raw JPEG, PNG, WebP or HEIC body)",
    description=(
        "`photo_id` is chosen by the client, so a retry is harmless: 201 when stored now, "
        "200 when the same bytes were already stored under this id, 409 when the id holds "
        "another photo. The type is recognised from the content, not the name. Every stored "
        "file is re-encoded without any metadata; the EXIF capture time and position are read "
        "first, returned here, and compared with the observation (`flags`)."
    ),
    tags=["intake"],
    request_max_body_size=None,
    responses={
        200: ResponseSpec(
            data_container=PhotoReceipt,
            description="Already stored under this id: the same answer as the first time",
            generate_examples=False,
        ),
        **responses(401, 404, 409, 413, 415, 422),
    },
    status_code=201,
)
async def upload_photo(
    request: Request[Any, Any, State],
    observation_id: FromPath[UUID],
    photo_id: FromPath[UUID],
    me: SignedDevice,
    pool: DbPool,
    settings: AppSettings,
    photo_work: PhotoWorkDep,
) -> Response[PhotoReceipt]:
    """Read the bytes within the limit, then hand them to the photo intake."""
    media_type = request.headers.get("content-type", "").strip().lower()
    if not media_type.startswith(_IMAGE_TYPES):
        raise ProblemError(
            415,
            "unsupported_media_type",
            "Unsupported media type",
            "Send the image bytes as the body with an image/* Content-Type.",
        )
    raw = await _read_body(request, settings.max_photo_bytes)
    receipt, created = await receive(pool, photo_work, settings, me, observation_id, photo_id, raw)
    return Response(receipt, status_code=201 if created else 200)


@delete(
    "/observations/{observation_id:uuid}/photos/{photo_id:uuid}",
    summary="Remove a photo from my observation (its files go when nothing else uses them)",
    tags=["intake"],
    responses=responses(401, 404),
    status_code=204,
)
async def delete_photo(
    observation_id: FromPath[UUID],
    photo_id: FromPath[UUID],
    me: SignedDevice,
    pool: DbPool,
    photo_work: PhotoWorkDep,
) -> None:
    """Delete the row, re-project the observation, then the orphaned files."""
    await remove(pool, photo_work, me, observation_id, photo_id)


@get(
    "/photos/{sha256:str}/{name:str}",
    summary="A stored photo file (small 320 px, large 1280 px or original), metadata-free JPEG",
    description=(
        "URLs come from observations' `photos`. A file is served while a record using it is "
        "visible to the caller: a public record's to everyone (cached an hour), another "
        "record's to its device (device token) or to the staff of its programme (access "
        "token), never cached by shared caches; otherwise 404."
    ),
    tags=["open data"],
    responses={
        200: ResponseSpec(
            data_container=bytes,
            media_type="image/jpeg",
            description="The JPEG file",
            generate_examples=False,
        ),
        **responses(401, 404),
    },
)
async def read_photo(
    request: Request[Any, Any, State],
    sha256: Annotated[str, PathParameter(max_length=64)],
    name: Annotated[str, PathParameter(max_length=16)],
    pool: DbPool,
    settings: AppSettings,
    photo_work: PhotoWorkDep,
) -> Response[bytes]:
    """Ask the disclosure policy who may see it, then serve the file from the store."""
    not_found = ProblemError(404, "not_found", "Not found", "No such photo file.")
    try:
        key = checked(f"{sha256}/{name}")
    except InvalidKeyError:
        raise not_found from None
    device = await signed_device(request) if device_token(request) is not None else None
    staff = None if device is not None else await optional_staff(request)
    seen_by = await photos.audience(
        pool,
        sha256,
        settings.public_statuses,
        device,
        RecordScope([], []) if staff is None else scope_for(staff, "read_records"),
    )
    cache_control = photo_cache_control(
        public=seen_by.public, owned=seen_by.owned, staffed=seen_by.staffed
    )
    if cache_control is None:
        raise not_found
    data = await photo_work.run(photo_work.store.get, key)
    if data is None:
        raise not_found
    return Response(
        data,
        media_type="image/jpeg",
        headers={
            "Cache-Control": cache_control,
            "ETag": f'"{sha256}-{name.removesuffix(".jpg")}"',
            "Vary": "Authorization",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
        },
    )


router = Router(
    path="/",
    route_handlers=[
        upload_photo,
        delete_photo,
        read_photo,
    ],
)
"""The photos feature's routes, mounted by the app factory."""
