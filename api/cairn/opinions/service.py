"""A programme's second-opinion rule: its admins change it, audited in the same transaction."""

from __future__ import annotations

from asyncpg import Pool

from cairn.core.db import transaction
from cairn.core.errors import FieldError, InvalidInputError
from cairn.opinions import store
from cairn.opinions.model import SecondOpinionRule
from cairn.staff import audit
from cairn.staff import store as staff_store
from cairn.staff.model import Staff
from cairn.staff.policy import require, require_visible


async def read(pool: Pool, staff: Staff, programme: str) -> SecondOpinionRule:
    """The rule, for staff of the programme (404 for others)."""
    require_visible(staff, programme)
    return await store.rule(pool, programme)


async def change(
    pool: Pool, staff: Staff, programme: str, new: SecondOpinionRule
) -> SecondOpinionRule:
    """Replace the rule (the programme's admins); unknown taxa or groups are a 422."""
    require_visible(staff, programme)
    require(staff, "administer_programme", programme)
    taxa = await store.known_taxa(pool, new.taxa)
    groups = await staff_store.known_taxon_groups(pool, new.taxon_groups)
    errors = [
        FieldError(f"/taxa/{i}", "invalid", f"{code} is not a known TAXREF CD_NOM")
        for i, code in enumerate(new.taxa)
        if code not in taxa
    ] + [
        FieldError(f"/taxon_groups/{i}", "invalid", f"no taxon of the reference is in {name!r}")
        for i, name in enumerate(new.taxon_groups)
        if name not in groups
    ]
    if errors:
        raise InvalidInputError(errors, "Invalid second-opinion rule")
    async with transaction(pool) as conn:
        before = await store.rule(conn, programme)
        await store.replace(conn, programme, new)
        after = await store.rule(conn, programme)
        await audit.record(
            conn, staff.id, "second_opinion_rule", programme, before=before, after=after
        )
    return after
