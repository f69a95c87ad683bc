"""Programme kinds: drafts and publication, checked, written and audited together."""

from __future__ import annotations

from asyncpg import Pool

from cairn.core.db import transaction
from cairn.core.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from cairn.programmes import store as programmes
from cairn.protocols import store
from cairn.protocols.kinds import remember
from cairn.protocols.model import BUNDLED_KINDS, KindDraftIn, ProgrammeKind, schema_errors, stamped
from cairn.staff import audit
from cairn.staff.model import Staff
from cairn.staff.policy import require, require_visible


def _administer(staff: Staff, slug: str) -> None:
    """The programme's admins only; staff with no role on it get 404, others 403."""
    require_visible(staff, slug)
    require(staff, "administer_programme", slug)


async def create_draft(pool: Pool, staff: Staff, slug: str, data: KindDraftIn) -> ProgrammeKind:
    """A new version (last + 1) of one of the programme's kinds, as a draft only staff see."""
    _administer(staff, slug)
    if data.kind in BUNDLED_KINDS:
        taken = FieldError("/kind", "not_allowed", f"`{data.kind}` is a bundled kind")
        raise InvalidInputError([taken], "Invalid kind")
    errors = schema_errors(data.schema)
    if errors:
        raise InvalidInputError(errors, "Invalid kind schema")
    async with transaction(pool) as conn:
        if await programmes.get_programme(conn, slug) is None:
            raise NotFoundError(f"no programme {slug}")
        await store.lock_kind(conn, data.kind)
        owner = await store.owner(conn, data.kind)
        if owner is not None and owner != slug:
            raise ConflictError(f"the kind `{data.kind}` belongs to another programme")
        version = await store.last_version(conn, data.kind) + 1
        schema = stamped(data.schema, slug, data.kind, version)
        draft = await store.insert_draft(conn, slug, data.kind, version, schema, staff.id)
        await audit.record(
            conn, staff.id, "kind_draft", f"{slug}/{data.kind}/{version}", None, draft
        )
    return draft


async def publish(pool: Pool, staff: Staff, slug: str, kind: str, version: int) -> ProgrammeKind:
    """Freeze a draft: visitors may then record with it, and it never changes again.

    Publishing again answers the published version (a retried click is harmless).
    """
    _administer(staff, slug)
    async with transaction(pool) as conn:
        draft = await store.get(conn, slug, kind, version, lock=True)
        if draft is None:
            raise NotFoundError(f"no kind {kind} v{version} in programme {slug}")
        if draft.state == "published":
            return draft
        published = await store.publish(conn, kind, version)
        await store.accept_version(conn, slug, kind, version)
        await audit.record(
            conn, staff.id, "kind_publish", f"{slug}/{kind}/{version}", draft, published
        )
    remember([published])
    return published


async def versions(pool: Pool, staff: Staff, slug: str) -> list[ProgrammeKind]:
    """Every version of the programme's kinds, drafts included (any staff role on it)."""
    require_visible(staff, slug)
    return await store.of_programme(pool, slug)
