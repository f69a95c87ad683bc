"""Messages of a record's thread, and what each reader learns of them.

The contributor never learns who among the staff wrote (no name, no email):
a staff message is signed by its role only. Staff see their colleagues' names.
A hidden message keeps its place in the thread, without its text, for the
contributor; staff still read it, marked hidden.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal

import msgspec
from msgspec import Meta

MAX_MESSAGE: Final = 2000
MESSAGES_PER_MINUTE: Final = 6
"""Messages one author (a contributor, a staff member) may post a minute, across threads."""
Author = Literal["contributor", "staff"]
Reader = Literal["contributor", "staff"]

PLAIN_TEXT: Final = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"
"""Printable text, with line breaks and tabs: control characters are refused."""


class MessageIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A new message, in plain text (never rendered as markup)."""

    body: Annotated[str, Meta(min_length=1, max_length=MAX_MESSAGE, pattern=PLAIN_TEXT)]


class HideIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Why a message is hidden (kept in the staff audit trail)."""

    reason: Annotated[str, Meta(min_length=1, max_length=500, pattern=PLAIN_TEXT)]


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """One message as its reader may see it."""

    id: int
    author: Author
    author_name: Annotated[
        str | None, Meta(description="A staff author's name, for staff readers only")
    ]
    mine: Annotated[bool, Meta(description="Written by the reader (their device or account)")]
    body: Annotated[str | None, Meta(description="None when staff hid it (contributor readers)")]
    hidden: bool
    created_at: datetime


class Thread(msgspec.Struct, frozen=True, kw_only=True):
    """A record's messages, oldest first."""

    observation_id: str
    messages: list[Message]
    awaiting_reply: Annotated[
        bool, Meta(description="The last visible message is the contributor's")
    ]


class StoredMessage(msgspec.Struct, frozen=True, kw_only=True):
    """A message as stored (before the reader's view)."""

    id: int
    author_kind: Author
    author_name: str | None
    mine: bool
    body: str
    hidden: bool
    created_at: datetime


def seen_by(message: StoredMessage, reader: Reader) -> Message:
    """The message as `reader` may see it: no staff name nor hidden text for a contributor."""
    for_staff = reader == "staff"
    return Message(
        id=message.id,
        author=message.author_kind,
        author_name=message.author_name if for_staff and message.author_kind == "staff" else None,
        mine=message.mine,
        body=message.body if for_staff or not message.hidden else None,
        hidden=message.hidden,
        created_at=message.created_at,
    )


def awaiting_reply(messages: list[StoredMessage]) -> bool:
    """Whether the contributor spoke last (hidden messages aside): staff owe an answer."""
    visible = [m for m in messages if not m.hidden]
    return bool(visible) and visible[-1].author_kind == "contributor"
