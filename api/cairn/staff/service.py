"""Every change to staff accounts and roles, each with its audit entry in the same transaction.

The routes and the `cairn` command line call these same functions, so a role given
at the command line leaves the same trail as one given through the API. The actor
is the signed-in staff member, or None for an operator at the server's command
line (who has the whole platform in reach).
"""

from __future__ import annotations

from uuid import UUID

from asyncpg import Pool

from cairn.core.clock import now
from cairn.core.db import Executor, transaction
from cairn.core.errors import (
    ConflictError,
    FieldError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from cairn.staff import audit, store
from cairn.staff.model import (
    Grant,
    Role,
    Staff,
    StaffAccount,
    hash_password,
    token_digest,
    verify_password,
)
from cairn.staff.policy import may_manage_grants, require


async def create_account(
    pool: Pool, actor: Staff | None, email: str, display_name: str, password: str
) -> StaffAccount:
    """An account with no role yet; the password is stored argon2id-hashed only."""
    if actor is not None:
        require(actor, "create_account")
    try:
        async with transaction(pool) as conn:
            user_id = await store.create_user(conn, email, display_name, hash_password(password))
            account = StaffAccount(str(user_id), email.lower(), display_name)
            await audit.record(conn, _id(actor), "account_create", account.email, after=account)
    except store.UserExistsError:
        raise ConflictError(f"an account {email.lower()} exists already") from None
    return account


async def grant(
    pool: Pool,
    actor: Staff | None,
    email: str,
    role: Role,
    organisation: str | None,
    programme: str | None,
    taxon_groups: list[str] | None = None,
) -> Grant:
    """Give `role` on one scope, optionally narrowed to taxon groups, within reach.

    It replaces the role held on that same scope and groups. Groups are the
    INPN group names the reference's taxa carry; an admin manages a programme
    whole, so an admin grant is never narrowed.
    """
    groups = taxon_groups or []
    if programme is not None and organisation is not None:
        both = "give a programme or an organisation, not both"
        raise InvalidInputError([FieldError("/organisation", "not_allowed", both)])
    if role == "admin" and groups:
        whole = "an admin manages the whole scope: narrow a moderator or viewer grant instead"
        raise InvalidInputError([FieldError("/taxon_groups", "not_allowed", whole)])
    if actor is not None and not await _reaches(pool, actor, organisation, programme):
        raise ForbiddenError("You do not administer that scope.")
    known = await store.known_taxon_groups(pool, groups)
    if unknown := [
        FieldError(f"/taxon_groups/{i}", "invalid", f"no taxon of the reference is in {name!r}")
        for i, name in enumerate(groups)
        if name not in known
    ]:
        raise InvalidInputError(unknown)
    user_id = await store.user_id_by_email(pool, email)
    if user_id is None:
        raise InvalidInputError([FieldError("/email", "invalid", f"no account {email.lower()}")])
    try:
        async with transaction(pool) as conn:
            granted = await store.grant(conn, user_id, role, organisation, programme, groups)
            await audit.record(conn, _id(actor), "grant", email.lower(), after=granted)
    except store.UnknownScopeError:
        where = "/programme" if programme else "/organisation"
        raise InvalidInputError([FieldError(where, "invalid", "no such scope")]) from None
    return granted


async def revoke_grant(pool: Pool, actor: Staff | None, grant_id: int) -> Grant:
    """Remove a role; roles are read on every request, so it takes effect at once."""
    async with transaction(pool) as conn:
        found = await store.get_grant(conn, grant_id)
        if found is None:
            raise NotFoundError(f"no grant {grant_id}")
        if actor is not None and not await _reaches(
            conn, actor, found.organisation, found.programme
        ):
            raise ForbiddenError("You do not administer the scope of this grant.")
        await store.revoke_grant(conn, grant_id)
        await audit.record(conn, _id(actor), "grant_remove", f"grant {grant_id}", before=found)
    return found


async def change_password(pool: Pool, staff: Staff, current: str, new: str) -> None:
    """Check the current password, store the new hash, sign out every session."""
    if not verify_password(await store.password_hash(pool, staff.id), current):
        raise ForbiddenError("The current password is wrong.")
    async with transaction(pool) as conn:
        await store.set_password(conn, staff.id, hash_password(new))
        await store.revoke_all_refresh_tokens(conn, staff.id, now())
        await audit.record(conn, staff.id, "password_change", staff.email)


async def rotate_refresh_token(pool: Pool, token: str) -> UUID | None:
    """Use a refresh token once: its account, or None when invalid, expired or revoked."""
    async with transaction(pool) as conn:
        return await store.use_refresh_token(conn, token_digest(token), now())


async def sign_out(pool: Pool, token: str, *, everywhere: bool) -> None:
    """Revoke a refresh token; `everywhere`: every session of its account."""
    async with transaction(pool) as conn:
        user_id = await store.revoke_refresh_token(conn, token_digest(token), now())
        if everywhere and user_id is not None:
            await store.revoke_all_refresh_tokens(conn, user_id, now())


async def _reaches(
    conn: Executor, actor: Staff, organisation: str | None, programme: str | None
) -> bool:
    runs = await store.organisation_of(conn, programme) if programme else None
    return may_manage_grants(actor, organisation, runs, programme)


def _id(actor: Staff | None) -> UUID | None:
    return None if actor is None else actor.id
