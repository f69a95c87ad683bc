"""Anonymous contributor devices: secret tokens and pseudonyms, no personal data."""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated, Final

import msgspec

from cairn.records.vocabulary import Geoprivacy

TOKEN_PREFIX: Final = "cdt_"  # noqa: S105 (a prefix, not a secret)
"""Device tokens start with this, so they are never mistaken for staff access tokens."""


def new_token() -> str:
    """A fresh secret, shown to the device once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    """What is stored: tokens are 256 random bits, so a plain SHA-256 cannot be reversed."""
    return hashlib.sha256(token.encode()).digest()


def is_device_token(token: str) -> bool:
    """True for tokens of the device shape."""
    return token.startswith(TOKEN_PREFIX) and 20 < len(token) < 100


class DeviceCreated(msgspec.Struct, frozen=True):
    """The answer to a new device: the token appears here and nowhere else, ever."""

    device_id: str
    token: str


class MeIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """What a contributor may change about themselves."""

    pseudonym: (
        Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f<>]+$")]
        | None
    )
    geoprivacy: (
        Annotated[
            Geoprivacy,
            msgspec.Meta(
                description="Default for observations that do not choose: `obscured` publishes "
                "them only generalised; omitted → unchanged"
            ),
        ]
        | None
    ) = None


class DeviceMe(msgspec.Struct, frozen=True):
    """A contributor's view of themselves."""

    device_id: str
    pseudonym: str | None
    observations: int
    geoprivacy: Geoprivacy = "open"
    """Default geoprivacy of the observations this device sends."""
