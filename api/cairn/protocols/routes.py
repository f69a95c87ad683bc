"""Programme kinds: admins create drafts and publish them; the programme's staff list them."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, post
from litestar.params import JSONBody, PathParameter

from cairn.core.body import ReportingBody
from cairn.core.deps import DbPool
from cairn.core.http import SlugPath
from cairn.core.problems import responses
from cairn.protocols import service
from cairn.protocols.model import KindDraftIn, ProgrammeKind
from cairn.staff.auth import SECURITY, SignedIn

KindPath = Annotated[str, PathParameter(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="A kind")]
VersionPath = Annotated[int, PathParameter(ge=1, le=10_000, description="A schema version")]


@post(
    "/programmes/{slug:str}/kinds",
    summary="Create a draft version of one of the programme's kinds (its admins)",
    description=(
        "The schema is JSON Schema 2020-12 in the vocabulary the field app renders: an object "
        "of fields (text, number with `x-unit`, count, choices, yes/no, date), `required`, and "
        "`allOf` conditions that show a field when another has a value; every title and choice "
        "labelled in fr, en and it (`x-i18n`, `x-enum-i18n`). No remote `$ref`, at most 64 KB "
        "and 12 levels deep. The version is the kind's last one plus one."
    ),
    tags=["programmes"],
    dto=ReportingBody[KindDraftIn],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 409, 422),
    status_code=201,
    security=SECURITY,
)
async def create_kind_draft(
    slug: SlugPath, data: JSONBody[KindDraftIn], pool: DbPool, staff: SignedIn
) -> ProgrammeKind:
    """A draft is seen by the programme's staff only, until it is published."""
    return await service.create_draft(pool, staff, slug, data)


@post(
    "/programmes/{slug:str}/kinds/{kind:str}/{version:int}/publish",
    summary="Publish a draft: visitors may record with it, and it never changes again",
    tags=["programmes"],
    responses=responses(400, 401, 403, 404),
    status_code=200,
    security=SECURITY,
)
async def publish_kind(
    slug: SlugPath, kind: KindPath, version: VersionPath, pool: DbPool, staff: SignedIn
) -> ProgrammeKind:
    """Publishing a published version again answers it unchanged."""
    return await service.publish(pool, staff, slug, kind, version)


@get(
    "/programmes/{slug:str}/kinds",
    summary="List every version of the programme's kinds, drafts included (its staff)",
    tags=["programmes"],
    responses=responses(400, 401, 404),
    security=SECURITY,
)
async def list_kind_versions(slug: SlugPath, pool: DbPool, staff: SignedIn) -> list[ProgrammeKind]:
    """Visitors see published kinds only, under /api/v1/schemas."""
    return await service.versions(pool, staff, slug)


router = Router(path="/", route_handlers=[create_kind_draft, publish_kind, list_kind_versions])
"""The protocols feature's routes, mounted by the app factory."""
