"""The one clock Cairn reads: every 'now' of the server comes from here.

Tests that need another instant set it on the database side (observed_at,
received_at) or pass a time in; nothing else calls `datetime.now`.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)
