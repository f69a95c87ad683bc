"""Which taxa need two validators, and where a decision takes a record that needs them.

A programme's admins name the taxa (cd_ref), INPN groups, or the reference's
protected and patrimonial flags. On such a record a first "certain" or
"probable" is an opinion: the record waits `awaiting_second_opinion` (never
public) until a *different* validator confirms it (published with that
status) or disagrees (it goes back to the queue as `doubtful`, for the
programme's admins). Both opinions are events in the record's history.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

import msgspec
from msgspec import Meta

AWAITING: Final = "awaiting_second_opinion"
AGREEING: Final = frozenset({"certain", "probable"})
Action = Literal["review", "reidentify", "first_opinion", "second_opinion"]


class SecondOpinionRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The taxa of a programme that need two validators (all empty: none do)."""

    taxa: Annotated[
        list[Annotated[int, Meta(gt=0)]],
        Meta(max_length=5000, description="TAXREF CD_REF (or CD_NOM, stored as its CD_REF)"),
    ] = []
    taxon_groups: Annotated[
        list[Annotated[str, Meta(min_length=1, max_length=100)]],
        Meta(max_length=50, description="INPN groups, e.g. Oiseaux"),
    ] = []
    protected: Annotated[bool, Meta(description="Taxa the reference marks strictly protected")] = (
        False
    )
    patrimonial: Annotated[bool, Meta(description="Taxa the reference marks patrimonial")] = False


class SameValidatorError(ValueError):
    """The second opinion must come from another validator than the first."""


def outcome(
    current: str,
    requested: str,
    needs_two: bool,
    actor: str,
    first_opinion_by: str | None,
    reidentified: bool,
) -> tuple[str, Action]:
    """The status a decision leaves and the history action that records it.

    `pending` reopens the record whoever asks; anything else on a record awaiting a
    second opinion is that opinion, and must come from another validator.
    """
    if requested == "pending":
        return requested, "reidentify" if reidentified else "review"
    if current == AWAITING:
        if first_opinion_by == actor:
            raise SameValidatorError(actor)
        return (requested if requested in AGREEING else "doubtful"), "second_opinion"
    if needs_two and requested in AGREEING:
        return AWAITING, "first_opinion"
    return requested, "reidentify" if reidentified else "review"
