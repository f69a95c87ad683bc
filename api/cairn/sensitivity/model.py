"""Sensitivity rules (SINP levels 0-4) and the level of one observation.

A rule gives a level to a taxon (its CD_REF), optionally only inside an area
and only during a yearly period (`MM-DD` to `MM-DD`, which may wrap over the
new year, e.g. 11-15 → 02-28). An observation gets the highest level of the
rules that match it: erring towards privacy, as standards.md §3 asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Final

import msgspec
from msgspec import Meta
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from cairn.core.errors import FieldError
from cairn.core.geometry import area_errors, contains, month_day
from cairn.core.text import text

Level = Annotated[int, Meta(ge=0, le=4, description="SINP sensitivity level (0 = not sensitive)")]
MonthDay = Annotated[str, Meta(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
LEVELS: Final[dict[int, str]] = {
    0: "Non sensible - Diffusion précise",
    1: "Sensible - Diffusion à la Commune ou Znieff",
    2: "Sensible - Diffusion à la maille 10km",
    3: "Sensible - Diffusion au département",
    4: "Sensible - Aucune diffusion",
}


class RuleIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A sensitivity rule as an admin writes it."""

    cd_ref: Annotated[int, Meta(gt=0, description="TAXREF CD_REF of the valid name")]
    level: Level
    area: (
        Annotated[dict[str, Any], Meta(description="Only inside this GeoJSON (Multi)Polygon")]
        | None
    ) = None
    period_start: MonthDay | None = None
    period_end: MonthDay | None = None
    comment: Annotated[str, text(2000)] | None = None


class Rule(msgspec.Struct, frozen=True, kw_only=True):
    """A stored rule."""

    id: int
    cd_ref: int
    level: int
    area: dict[str, Any] | None
    period_start: str | None
    period_end: str | None
    comment: str | None
    updated_at: datetime


class Job(msgspec.Struct, frozen=True, kw_only=True):
    """A background re-projection and how far it got."""

    id: str
    reason: str
    state: str
    total: int
    done: int
    changed: int
    started_at: datetime
    finished_at: datetime | None
    error: str | None


class RuleChange(msgspec.Struct, frozen=True, kw_only=True):
    """A rule after a change, and the job re-projecting the records it affects."""

    rule: Rule | None
    job: Job


def rule_errors(rule: RuleIn) -> list[FieldError]:
    """What a schema cannot say: a usable area, and a period given whole."""
    errors = [] if rule.area is None else area_errors(rule.area, ("area",))
    if (rule.period_start is None) != (rule.period_end is None):
        missing = "/period_end" if rule.period_end is None else "/period_start"
        errors.append(FieldError(missing, "missing", "a period needs both its start and its end"))
    return errors


class CompiledRule(msgspec.Struct, frozen=True):
    """A rule with its area parsed once, ready to test many observations."""

    level: int
    area: BaseGeometry | None
    period: tuple[str, str] | None


def compile_rule(rule: Rule) -> CompiledRule:
    """Parse a stored rule's area once."""
    period = (
        (rule.period_start, rule.period_end)
        if rule.period_start is not None and rule.period_end is not None
        else None
    )
    return CompiledRule(rule.level, None if rule.area is None else shape(rule.area), period)


def in_period(day: str, period: tuple[str, str]) -> bool:
    """Whether `MM-DD` falls in the period, which may wrap over the new year."""
    start, end = period
    return start <= day <= end if start <= end else day >= start or day <= end


def level_for(rules: Iterable[CompiledRule], lon: float, lat: float, observed_at: datetime) -> int:
    """The highest level among the rules matching this place and date (0 if none)."""
    day = month_day(observed_at)
    return max(
        (
            rule.level
            for rule in rules
            if (rule.area is None or contains(rule.area, lon, lat))
            and (rule.period is None or in_period(day, rule.period))
        ),
        default=0,
    )
