"""Sign-in lockout per email: five failures lock the email for 15 minutes, account or not.

Shared by staff and contributor sign-in (each under its own scope, so failing
one never locks the other). The lock is keyed by a digest of the email, so
the table holds no address, and known and unknown emails behave alike.
"""

from __future__ import annotations

from typing import Literal

import asyncpg

from cairn.core.clock import now
from cairn.core.problems import ProblemError
from cairn.staff import store as staff_store
from cairn.staff.model import LOCKOUT, locked_for, token_digest

Scope = Literal["staff", "contributor"]


def email_digest(scope: Scope, email: str) -> bytes:
    """The lockout key of an email under one sign-in (staff keys stay what they were)."""
    normalised = email.strip().lower()
    return token_digest(normalised if scope == "staff" else f"{scope}:{normalised}")


async def refuse_while_locked(pool: asyncpg.Pool, digest: bytes) -> None:
    """429 with Retry-After while the email is locked, before any password is checked."""
    wait = locked_for(*await staff_store.login_failures(pool, digest), now())
    if wait is not None:
        raise ProblemError(
            429,
            "rate_limited",
            "Too many requests",
            "Too many failed sign-ins for this email; try again later.",
            headers={"Retry-After": str(wait)},
        )


async def count_failure(pool: asyncpg.Pool, digest: bytes) -> None:
    """One more failed sign-in for the email."""
    await staff_store.record_login_failure(pool, digest, now(), LOCKOUT)


async def forget_failures(pool: asyncpg.Pool, digest: bytes) -> None:
    """A successful sign-in clears the count."""
    await staff_store.clear_login_failures(pool, digest)
