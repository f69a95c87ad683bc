"""Reference data for clients: observation schemas and taxon search."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Response, Router, get
from litestar.params import FromPath, PathParameter, QueryParameter

from cairn.core.deps import ReadPool
from cairn.core.documents import SCHEMA_JSON
from cairn.core.errors import NotFoundError
from cairn.core.languages import Lang
from cairn.core.problems import responses
from cairn.protocols.kinds_store import every_published, resolve
from cairn.reference import taxa_store as taxa

SCHEMA_CACHE = "public, max-age=86400"
"""A published schema never changes."""
SCHEMA_LIST_CACHE = "public, max-age=300, must-revalidate"
"""The list grows when a programme publishes a kind."""
MAX_SCHEMA_VERSION = 10_000
MAX_CODE = 2_147_483_647  # TAXREF codes are PostgreSQL integers


class SchemaEntry(msgspec.Struct, omit_defaults=True):
    """One published observation schema."""

    kind: str
    version: int
    url: str
    title: dict[str, str]
    programme: str | None = None
    """The programme that built it; absent for the bundled kinds every programme may use."""


class SchemaList(msgspec.Struct):
    """Every published schema, every version."""

    items: list[SchemaEntry]


class TaxonList(msgspec.Struct):
    """Search results, best first."""

    items: list[taxa.TaxonSummary]


@get(
    "/schemas",
    summary="List the observation kinds and their schema versions",
    tags=["reference"],
    responses=responses(),
)
async def list_schemas(read_pool: ReadPool) -> Response[SchemaList]:
    """Old versions stay listed: records sent with them keep validating against them.

    The bundled kinds first, then every programme's published kinds (never drafts).
    """
    items = [
        SchemaEntry(
            k.kind, k.version, f"/api/v1/schemas/{k.kind}/{k.version}", k.titles(), k.programme
        )
        for k in await every_published(read_pool)
    ]
    return Response(SchemaList(items), headers={"Cache-Control": SCHEMA_LIST_CACHE})


@get(
    "/schemas/{kind:str}/{version:int}",
    summary="Read one observation schema (JSON Schema 2020-12, titles in fr/en/it)",
    tags=["reference"],
    media_type=SCHEMA_JSON,
    responses=responses(404),
)
async def read_schema(
    kind: FromPath[str], version: FromPath[int], read_pool: ReadPool
) -> Response[dict[str, Any]]:
    """The document the server validates `data` with, and the PWA renders its form from."""
    known = 1 <= version <= MAX_SCHEMA_VERSION
    found = (await resolve(read_pool, [(kind, version)])).get((kind, version)) if known else None
    if found is None:
        raise NotFoundError(f"no schema {kind} v{version}")
    return Response(
        found.schema,
        media_type=SCHEMA_JSON,
        headers={"Cache-Control": SCHEMA_CACHE},
    )


@get(
    "/taxa",
    summary="Search taxa by scientific or vernacular name (accent-, case- and typo-tolerant)",
    tags=["reference"],
    responses=responses(400),
)
async def search_taxa(
    read_pool: ReadPool,
    q: Annotated[
        str, QueryParameter(min_length=2, max_length=100, description="Name or part of it")
    ],
    lang: Annotated[Lang, QueryParameter(description="Language of vernacular names")] = "fr",
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
) -> TaxonList:
    """Prefix matches first, then substrings, then near spellings."""
    async with read_pool.acquire() as conn:
        return TaxonList(await taxa.search(conn, q.strip(), lang, limit))


@get(
    "/taxa/{cd_nom:int}",
    summary="Read a taxon with its valid name and parent chain",
    tags=["reference"],
    responses=responses(404),
)
async def read_taxon(
    read_pool: ReadPool,
    cd_nom: Annotated[int, PathParameter(ge=1, le=MAX_CODE, description="TAXREF CD_NOM")],
    lang: Annotated[Lang, QueryParameter(description="Language of vernacular names")] = "fr",
) -> taxa.Taxon:
    """Synonyms answer with their valid name; parents run from the root down."""
    async with read_pool.acquire() as conn:
        found = await taxa.get(conn, cd_nom, lang)
    if found is None:
        raise NotFoundError(f"no taxon with CD_NOM {cd_nom}")
    return found


router = Router(
    path="/",
    route_handlers=[
        list_schemas,
        read_schema,
        search_taxa,
        read_taxon,
    ],
)
"""The reference feature's routes, mounted by the app factory."""
