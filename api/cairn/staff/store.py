"""Staff accounts, their grants and their refresh tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import msgspec

from cairn.core.db import Connection, Executor
from cairn.staff.model import (
    Grant,
    Role,
    Staff,
    effective_group_roles,
    effective_roles,
    strongest,
)

_GRANT_COLUMNS = "id, role, organisation, programme, taxon_groups"


class UserExistsError(ValueError):
    """An account with this email exists already."""


class UnknownScopeError(ValueError):
    """The programme or organisation of a grant does not exist."""


async def create_user(conn: Executor, email: str, display_name: str, password_hash: str) -> UUID:
    """Create an account; raise `UserExistsError` when the email is taken."""
    try:
        user_id: UUID = await conn.fetchval(
            """INSERT INTO staff_user (email, display_name, password_hash)
               VALUES ($1, $2, $3) RETURNING id""",
            email.lower(),
            display_name,
            password_hash,
        )
    except asyncpg.UniqueViolationError:
        raise UserExistsError(email) from None
    return user_id


async def credentials(conn: Executor, email: str) -> tuple[UUID, str] | None:
    """(id, password hash) of an active account, or None."""
    row = await conn.fetchrow(
        "SELECT id, password_hash FROM staff_user WHERE email = $1 AND active", email.lower()
    )
    return None if row is None else (row["id"], row["password_hash"])


async def password_hash(conn: Executor, user_id: UUID) -> str | None:
    """The password hash of an active account."""
    found: str | None = await conn.fetchval(
        "SELECT password_hash FROM staff_user WHERE id = $1 AND active", user_id
    )
    return found


async def set_password(conn: Executor, user_id: UUID, new_hash: str) -> None:
    """Replace an account's password hash."""
    await conn.execute("UPDATE staff_user SET password_hash = $2 WHERE id = $1", user_id, new_hash)


async def user_id_by_email(conn: Executor, email: str) -> UUID | None:
    """The id of the account with this email (active or not)."""
    found: UUID | None = await conn.fetchval(
        "SELECT id FROM staff_user WHERE email = $1", email.lower()
    )
    return found


async def grant(
    conn: Executor,
    user_id: UUID,
    role: Role,
    organisation: str | None,
    programme: str | None,
    taxon_groups: list[str] | None = None,
) -> Grant:
    """Give `role` on the scope (and groups), replacing the role held on that same one."""
    try:
        row = await _upsert_grant(
            conn, user_id, role, organisation, programme, sorted(set(taxon_groups or []))
        )
    except asyncpg.ForeignKeyViolationError:
        raise UnknownScopeError(programme or organisation) from None
    assert row is not None  # noqa: S101 (INSERT … RETURNING always returns a row)
    return _grant(row)


def _grant(row: asyncpg.Record) -> Grant:
    return Grant(row["id"], row["role"], row["organisation"], row["programme"], row["taxon_groups"])


async def _upsert_grant(
    conn: Executor,
    user_id: UUID,
    role: Role,
    organisation: str | None,
    programme: str | None,
    taxon_groups: list[str],
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""INSERT INTO staff_grant (user_id, role, organisation, programme, taxon_groups)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (user_id, organisation, programme, taxon_groups)
            DO UPDATE SET role = EXCLUDED.role
            RETURNING {_GRANT_COLUMNS}""",
        user_id,
        role,
        organisation,
        programme,
        taxon_groups,
    )


async def known_taxon_groups(conn: Executor, names: list[str]) -> set[str]:
    """Those of `names` that are the INPN group of at least one taxon of the reference."""
    rows = await conn.fetch(
        "SELECT DISTINCT group2_inpn FROM taxon WHERE group2_inpn = ANY($1::text[])", names
    )
    return {row[0] for row in rows}


async def revoke_grant(conn: Executor, grant_id: int) -> bool:
    """Remove a grant; False when there was none."""
    return (
        await conn.fetchval("DELETE FROM staff_grant WHERE id = $1 RETURNING true", grant_id)
        or False
    )


async def grants_of(conn: Executor, user_id: UUID) -> list[Grant]:
    """Every grant of one account."""
    rows = await conn.fetch(
        f"SELECT {_GRANT_COLUMNS} FROM staff_grant WHERE user_id = $1 ORDER BY id", user_id
    )
    return [_grant(r) for r in rows]


async def load_staff(conn: Executor, user_id: UUID) -> Staff | None:
    """The active account with its effective role per programme, or None.

    One round trip: the account, its grants and the programmes they cover.
    """
    row = await conn.fetchrow(
        """SELECT u.id, u.email, u.display_name,
                  coalesce(jsonb_agg(jsonb_build_array(g.id, g.role, g.organisation, g.programme,
                                                     g.taxon_groups))
                           FILTER (WHERE g.id IS NOT NULL), '[]') AS grants,
                  (SELECT coalesce(jsonb_object_agg(slug, organisation), '{}')
                     FROM programme) AS programmes
             FROM staff_user u LEFT JOIN staff_grant g ON g.user_id = u.id
            WHERE u.id = $1 AND u.active
            GROUP BY u.id""",
        user_id,
    )
    if row is None:
        return None
    grants = [Grant(*g) for g in row["grants"]]
    platform = [
        g.role
        for g in grants
        if g.organisation is None and g.programme is None and not g.taxon_groups
    ]
    return Staff(
        id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        platform_role=strongest(platform),
        roles=effective_roles(grants, row["programmes"]),
        organisations_administered=sorted(
            g.organisation
            for g in grants
            if g.organisation is not None and g.role == "admin" and not g.taxon_groups
        ),
        group_roles=effective_group_roles(grants, row["programmes"]),
    )


async def store_refresh_token(
    conn: Executor, user_id: UUID, digest: bytes, expires_at: datetime
) -> UUID:
    """Keep the digest of a new refresh token (and forget the account's expired ones)."""
    token_id = uuid4()
    await conn.execute(
        "DELETE FROM refresh_token WHERE user_id = $1 AND expires_at < now()", user_id
    )
    await conn.execute(
        """INSERT INTO refresh_token (id, user_id, token_hash, expires_at)
           VALUES ($1, $2, $3, $4)""",
        token_id,
        user_id,
        digest,
        expires_at,
    )
    return token_id


async def use_refresh_token(conn: Connection, digest: bytes, now: datetime) -> UUID | None:
    """Revoke a valid refresh token and return its account; None if it is not valid.

    Revoking on use (rotation) means a stolen refresh token works at most once,
    and the row lock makes two concurrent refreshes with one token yield one
    success.
    """
    user_id: UUID | None = await conn.fetchval(
        """UPDATE refresh_token t SET revoked_at = $2
             FROM staff_user u
            WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2
              AND u.id = t.user_id AND u.active
        RETURNING t.user_id""",
        digest,
        now,
    )
    return user_id


async def revoke_refresh_token(conn: Executor, digest: bytes, now: datetime) -> UUID | None:
    """Revoke a refresh token (logout); return its account, None for an unknown token."""
    user_id: UUID | None = await conn.fetchval(
        """UPDATE refresh_token SET revoked_at = coalesce(revoked_at, $2)
            WHERE token_hash = $1 RETURNING user_id""",
        digest,
        now,
    )
    return user_id


async def revoke_all_refresh_tokens(conn: Executor, user_id: UUID, now: datetime) -> None:
    """Sign an account out of every device (logout with `everywhere`)."""
    await conn.execute(
        "UPDATE refresh_token SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        user_id,
        now,
    )


class Member(msgspec.Struct, frozen=True, kw_only=True):
    """A grant with the account it belongs to (who can act on a programme, and how)."""

    grant_id: int
    user_id: UUID
    email: str
    display_name: str
    role: Role
    organisation: str | None
    programme: str | None
    taxon_groups: list[str]


async def organisation_of(conn: Executor, programme: str) -> str | None:
    """The organisation that runs a programme (what a grant on it is checked against), or None.

    Staff sits below the programmes feature in the feature order, so it reads this one column
    itself rather than through the programmes store.
    """
    found: str | None = await conn.fetchval(
        "SELECT organisation FROM programme WHERE slug = $1", programme
    )
    return found


async def members(conn: Executor, programme: str, organisation: str) -> list[Member]:
    """Every active account whose grants cover this programme, with the covering grant."""
    rows = await conn.fetch(
        """SELECT g.id AS grant_id, u.id AS user_id, u.email, u.display_name, g.role,
                  g.organisation, g.programme, g.taxon_groups
             FROM staff_grant g JOIN staff_user u ON u.id = g.user_id
            WHERE u.active AND (g.programme = $1 OR g.organisation = $2
                                OR (g.programme IS NULL AND g.organisation IS NULL))
            ORDER BY u.email, g.id""",
        programme,
        organisation,
    )
    return [Member(**dict(r)) for r in rows]


async def get_grant(conn: Executor, grant_id: int) -> Grant | None:
    """One grant, or None."""
    row = await conn.fetchrow(f"SELECT {_GRANT_COLUMNS} FROM staff_grant WHERE id = $1", grant_id)
    return None if row is None else _grant(row)


async def login_failures(conn: Executor, email_digest: bytes) -> tuple[int, datetime | None]:
    """Recent failed sign-ins for an email digest, and when the last one was."""
    row = await conn.fetchrow(
        "SELECT failures, last_failed_at FROM login_attempt WHERE email_digest = $1",
        email_digest,
    )
    return (0, None) if row is None else (row["failures"], row["last_failed_at"])


async def record_login_failure(
    conn: Executor, email_digest: bytes, now: datetime, window: timedelta
) -> None:
    """Count one more failure; failures older than `window` start the count again.

    Rows older than the window are dropped here too, so guessed emails do not pile up.
    """
    await conn.execute(
        "DELETE FROM login_attempt WHERE last_failed_at < $1::timestamptz - $2::interval",
        now,
        window,
    )
    await conn.execute(
        """INSERT INTO login_attempt (email_digest, failures, last_failed_at) VALUES ($1, 1, $2)
           ON CONFLICT (email_digest) DO UPDATE SET
               failures = CASE WHEN login_attempt.last_failed_at < $2 - $3::interval THEN 1
                               ELSE login_attempt.failures + 1 END,
               last_failed_at = $2""",
        email_digest,
        now,
        window,
    )


async def clear_login_failures(conn: Executor, email_digest: bytes) -> None:
    """Forget the failures of an email after a successful sign-in."""
    await conn.execute("DELETE FROM login_attempt WHERE email_digest = $1", email_digest)
