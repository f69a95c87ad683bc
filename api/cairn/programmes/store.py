"""Organisations and programmes."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from cairn.core.db import Connection, Executor
from cairn.core.geometry import bounds
from cairn.programmes.model import (
    LongTexts,
    Organisation,
    OrganisationIn,
    Programme,
    ProgrammeIn,
    ProgrammePatch,
    Texts,
)

_PROGRAMME = """
    slug, organisation, name, description, territory, min_lon, min_lat, max_lon, max_lat,
    kinds, target_taxa, default_licence, starts_on, ends_on, is_demo, version, updated_at
"""


class ExistsError(ValueError):
    """The slug is taken."""


class UnknownReferenceError(ValueError):
    """A referenced organisation does not exist."""


async def create_organisation(conn: Executor, org: OrganisationIn) -> Organisation:
    """Insert an organisation; `ExistsError` when its slug is taken."""
    try:
        row = await conn.fetchrow(
            """INSERT INTO organisation (slug, name, website) VALUES ($1, $2, $3)
               RETURNING slug, name, website, created_at""",
            org.slug,
            org.name,
            org.website,
        )
    except asyncpg.UniqueViolationError:
        raise ExistsError(org.slug) from None
    assert row is not None  # noqa: S101 (INSERT … RETURNING always returns a row)
    return Organisation(**dict(row))


async def list_organisations(conn: Executor) -> list[Organisation]:
    """Every organisation, by slug."""
    rows = await conn.fetch(
        "SELECT slug, name, website, created_at FROM organisation ORDER BY slug"
    )
    return [Organisation(**dict(r)) for r in rows]


async def create_programme(conn: Executor, programme: ProgrammeIn) -> Programme:
    """Insert a checked programme; `ExistsError` or `UnknownReferenceError` otherwise."""
    try:
        row = await conn.fetchrow(
            f"""INSERT INTO programme (slug, organisation, name, description, territory,
                    min_lon, min_lat, max_lon, max_lat, kinds, target_taxa, default_licence,
                    starts_on, ends_on)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                RETURNING {_PROGRAMME}""",
            programme.slug,
            programme.organisation,
            msgspec.to_builtins(programme.name),
            msgspec.to_builtins(programme.description),
            programme.territory,
            *bounds(programme.territory),
            programme.kinds,
            programme.target_taxa,
            programme.default_licence,
            programme.starts_on,
            programme.ends_on,
        )
    except asyncpg.UniqueViolationError:
        raise ExistsError(programme.slug) from None
    except asyncpg.ForeignKeyViolationError:
        raise UnknownReferenceError(programme.organisation) from None
    assert row is not None  # noqa: S101 (INSERT … RETURNING always returns a row)
    return to_programme(row)


async def get_programme(conn: Executor, slug: str, *, lock: bool = False) -> Programme | None:
    """One programme, or None."""
    row = await conn.fetchrow(
        f"SELECT {_PROGRAMME} FROM programme WHERE slug = $1{' FOR UPDATE' if lock else ''}", slug
    )
    return None if row is None else to_programme(row)


async def list_programmes(conn: Executor, organisation: str | None = None) -> list[Programme]:
    """Every programme (or an organisation's), by slug."""
    rows = await conn.fetch(
        f"""SELECT {_PROGRAMME} FROM programme
             WHERE $1::text IS NULL OR organisation = $1 ORDER BY slug""",
        organisation,
    )
    return [to_programme(r) for r in rows]


async def update_programme(conn: Connection, slug: str, patch: ProgrammePatch) -> Programme:
    """Apply the given fields of a checked patch (the caller locked and compared versions)."""
    changes: dict[str, Any] = {
        name: msgspec.to_builtins(value) if isinstance(value, Texts | LongTexts) else value
        for name in patch.__struct_fields__
        if name != "expected_version" and (value := getattr(patch, name)) is not msgspec.UNSET
    }
    if isinstance(patch.territory, dict):
        changes.update(
            zip(("min_lon", "min_lat", "max_lon", "max_lat"), bounds(patch.territory), strict=True)
        )
    assignments = [f"{name} = ${i}" for i, name in enumerate(changes, start=2)]
    assignments += ["version = version + 1", "updated_at = now()"]
    row = await conn.fetchrow(
        f"""UPDATE programme SET {", ".join(assignments)}
             WHERE slug = $1 RETURNING {_PROGRAMME}""",
        slug,
        *changes.values(),
    )
    assert row is not None  # noqa: S101 (the caller holds the row lock)
    return to_programme(row)


def to_programme(row: asyncpg.Record) -> Programme:
    """The API view of a programme row."""
    return Programme(
        slug=row["slug"],
        organisation=row["organisation"],
        name=msgspec.convert(row["name"], Texts),
        description=msgspec.convert(row["description"], LongTexts),
        territory=row["territory"],
        bbox=[row["min_lon"], row["min_lat"], row["max_lon"], row["max_lat"]],
        kinds=row["kinds"],
        target_taxa=row["target_taxa"],
        default_licence=row["default_licence"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        is_demo=row["is_demo"],
        version=row["version"],
        updated_at=row["updated_at"],
    )


async def names(conn: Executor, slug: str) -> dict[str, str] | None:
    """A programme's name in each language, or None if there is no such programme."""
    value: dict[str, str] | None = await conn.fetchval(
        "SELECT name FROM programme WHERE slug = $1", slug
    )
    return value
