"""Organisations and programmes: every change checked, written and audited together."""

from __future__ import annotations

import msgspec
from asyncpg import Pool

from cairn.core.db import transaction
from cairn.core.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from cairn.programmes import store
from cairn.programmes.model import (
    Organisation,
    OrganisationIn,
    Programme,
    ProgrammeIn,
    ProgrammePatch,
    programme_errors,
)
from cairn.staff import audit
from cairn.staff.model import Staff
from cairn.staff.policy import require, require_organisation_admin, require_visible


async def create_organisation(pool: Pool, staff: Staff, data: OrganisationIn) -> Organisation:
    """Only a platform admin creates organisations; their admins then create programmes."""
    require(staff, "create_organisation")
    try:
        async with transaction(pool) as conn:
            created = await store.create_organisation(conn, data)
            await audit.record(conn, staff.id, "organisation_create", data.slug, after=created)
    except store.ExistsError:
        raise ConflictError(f"an organisation `{data.slug}` exists already") from None
    return created


async def create_programme(pool: Pool, staff: Staff, data: ProgrammeIn) -> Programme:
    """Check the territory and dates, then insert (admins of its organisation)."""
    require_organisation_admin(staff, data.organisation)
    errors = programme_errors(data.territory, data.starts_on, data.ends_on)
    if errors:
        raise InvalidInputError(errors, "Invalid programme")
    try:
        async with transaction(pool) as conn:
            created = await store.create_programme(conn, data)
            await audit.record(conn, staff.id, "programme_create", data.slug, after=created)
    except store.ExistsError:
        raise ConflictError(f"a programme `{data.slug}` exists already") from None
    except store.UnknownReferenceError:
        missing = FieldError("/organisation", "invalid", f"no organisation {data.organisation}")
        raise InvalidInputError([missing], "Invalid programme") from None
    return created


async def update_programme(pool: Pool, staff: Staff, slug: str, data: ProgrammePatch) -> Programme:
    """Its admins only (404 for staff with no role on it); `expected_version` guards edits."""
    require_visible(staff, slug)
    require(staff, "administer_programme", slug)
    async with transaction(pool) as conn:
        current = await store.get_programme(conn, slug, lock=True)
        if current is None:
            raise NotFoundError(f"no programme {slug}")
        if current.version != data.expected_version:
            raise ConflictError("The programme changed since you read it.", {"current": current})
        territory = data.territory if isinstance(data.territory, dict) else None
        starts = current.starts_on if data.starts_on is msgspec.UNSET else data.starts_on
        ends = current.ends_on if data.ends_on is msgspec.UNSET else data.ends_on
        errors = programme_errors(territory, starts, ends)
        if errors:
            raise InvalidInputError(errors, "Invalid programme")
        changed = await store.update_programme(conn, slug, data)
        await audit.record(conn, staff.id, "programme_update", slug, current, changed)
    return changed
