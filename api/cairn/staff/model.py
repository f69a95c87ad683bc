"""Staff identity and scope: passwords, tokens, and who may do what where.

A grant gives a role on one programme, on every programme of an
organisation, or (neither set) on the whole platform, optionally narrowed to
taxon groups (the INPN group names the taxa carry: an ornithologist validates
the Oiseaux of every programme). The effective role on a programme, or on one
group's records in it, is the strongest grant that covers it. Roles are read from the
database on every request, so removing a grant takes effect at once; only the
signed access token (short-lived) says who the caller is.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Annotated, Final, Literal
from uuid import UUID

import jwt
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from msgspec import Meta

from cairn.core.text import BLANK

Role = Literal["admin", "moderator", "viewer"]
ROLE_RANK: Final[dict[str, int]] = {"viewer": 1, "moderator": 2, "admin": 3}
MIN_PASSWORD: Final = 12
TOKEN_ALGORITHM: Final = "HS256"  # noqa: S105 (an algorithm name, not a secret)
Email = Annotated[str, Meta(pattern=rf"^[^@{BLANK}]+@[^@{BLANK}]+$", max_length=320)]

_HASHER = PasswordHasher()  # argon2id with argon2-cffi's RFC 9106 low-memory profile
_DUMMY_HASH = _HASHER.hash("never a real password")


class Grant(msgspec.Struct, frozen=True):
    """One role, on a programme, an organisation's programmes, or everything."""

    id: int
    role: Role
    organisation: str | None
    programme: str | None
    taxon_groups: list[str] = []
    """Empty: every record of the scope; else only records of taxa in these groups."""

    def covers(self, programme: str, organisation: str) -> bool:
        """Whether the grant's scope (programme, organisation or platform) takes in `programme`."""
        if self.programme is not None:
            return self.programme == programme
        return self.organisation in (None, organisation)


class StaffAccount(msgspec.Struct, frozen=True):
    """A created account (never its password)."""

    id: str
    email: str
    display_name: str


class Staff(msgspec.Struct, frozen=True):
    """The signed-in staff member and their effective role per programme."""

    id: UUID
    email: str
    display_name: str
    platform_role: Role | None
    roles: dict[str, Role]
    organisations_administered: list[str]
    group_roles: dict[str, dict[str, Role]] = {}
    """Programme → taxon group → role, from grants narrowed to taxon groups."""

    def administers(self, organisation: str) -> bool:
        """Whether this person is an admin of the organisation itself (or of the platform)."""
        return self.is_platform_admin() or organisation in self.organisations_administered

    def programmes(self, at_least: Role) -> list[str]:
        """The programmes where this person holds `at_least` that role (sorted)."""
        return sorted(p for p, r in self.roles.items() if ROLE_RANK[r] >= ROLE_RANK[at_least])

    def sees(self, programme: str) -> bool:
        """Whether any grant (whole or narrowed to taxon groups) covers `programme`."""
        return programme in self.roles or programme in self.group_roles

    def can(self, programme: str, at_least: Role) -> bool:
        """Whether this person holds `at_least` that role on `programme`."""
        role = self.roles.get(programme)
        return role is not None and ROLE_RANK[role] >= ROLE_RANK[at_least]

    def is_platform_admin(self) -> bool:
        """Platform admins manage organisations and the territory-wide sensitivity rules."""
        return self.platform_role == "admin"


def strongest(roles: Iterable[Role]) -> Role | None:
    """The strongest of `roles`, or None when there is none."""
    return max(roles, key=ROLE_RANK.__getitem__, default=None)


def effective_roles(grants: Iterable[Grant], programmes: Mapping[str, str]) -> dict[str, Role]:
    """Role per programme from the grants on whole scopes, given each programme's organisation."""
    found: dict[str, list[Role]] = {}
    for grant in grants:
        if grant.taxon_groups:
            continue
        for programme, organisation in programmes.items():
            if grant.covers(programme, organisation):
                found.setdefault(programme, []).append(grant.role)
    return {p: r for p, roles in found.items() if (r := strongest(roles)) is not None}


def effective_group_roles(
    grants: Iterable[Grant], programmes: Mapping[str, str]
) -> dict[str, dict[str, Role]]:
    """Role per programme and taxon group from the grants narrowed to taxon groups."""
    found: dict[str, dict[str, list[Role]]] = {}
    for grant in grants:
        for programme, organisation in programmes.items():
            if grant.taxon_groups and grant.covers(programme, organisation):
                for group in grant.taxon_groups:
                    found.setdefault(programme, {}).setdefault(group, []).append(grant.role)
    return {
        programme: {g: r for g, roles in groups.items() if (r := strongest(roles)) is not None}
        for programme, groups in found.items()
    }


MAX_FAILURES: Final = 5
LOCKOUT: Final = timedelta(minutes=15)


def locked_for(failures: int, last_failed_at: datetime | None, now: datetime) -> int | None:
    """Seconds to wait before trying again after too many failed sign-ins; None if free.

    Counted per email whether the account exists or not, so the lock says
    nothing about which emails have accounts.
    """
    if last_failed_at is None or failures < MAX_FAILURES:
        return None
    remaining = last_failed_at + LOCKOUT - now
    return max(1, int(remaining.total_seconds()) + 1) if remaining > timedelta(0) else None


def hash_password(password: str) -> str:
    """An argon2id hash (salted, with its parameters) of `password`."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no stored hash, spend the same time and say no."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def access_token(user_id: UUID, key: str, now: datetime, lifetime: timedelta) -> str:
    """A signed, short-lived bearer token naming the staff member."""
    claims = {"sub": str(user_id), "typ": "access", "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, key, algorithm=TOKEN_ALGORITHM)


def access_token_subject(token: str, key: str) -> UUID | None:
    """The staff id a valid, unexpired access token names; None for anything else."""
    try:
        claims = jwt.decode(
            token, key, algorithms=[TOKEN_ALGORITHM], options={"require": ["exp", "sub", "typ"]}
        )
        if claims["typ"] != "access":
            return None
        return UUID(claims["sub"])
    except (jwt.InvalidTokenError, ValueError):
        return None


def new_refresh_token() -> tuple[str, bytes]:
    """A random refresh token and its SHA-256 (only the digest is stored)."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> bytes:
    """SHA-256 of a random token (enough for 256-bit secrets, no need for argon2) or an email."""
    return hashlib.sha256(token.encode()).digest()
