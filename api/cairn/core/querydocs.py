"""Raw-text query parameters, documented with the rules `QueryErrors` applies to them.

The checks live in `cairn.core.queryparams` (pure); these annotations only tell
the OpenAPI document what they enforce.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar.params import QueryParameter

from cairn.core.queryparams import SLUG


def query(
    description: str, *, name: str | None = None, required: bool = False, **rules: Any
) -> QueryParameter:
    """A raw-text query parameter, with the rules `QueryErrors` applies to it documented.

    `rules` are JSON Schema keywords as Litestar's `Schema` spells them
    (`pattern`, `enum`, `format`, `minimum`…). They only document: the route
    checks the text itself, so that every bad parameter is reported at once.
    An empty value means the parameter is absent, as `QueryErrors` reads it.
    """
    return QueryParameter(name=name, description=description, required=required, schema_extra=rules)


def slug_query(description: str, *, required: bool = False) -> QueryParameter:
    """A slug parameter (`QueryErrors.slug`): empty is allowed unless it is required."""
    body = SLUG.pattern
    return query(
        description, required=required, pattern=f"^{body}$" if required else f"^({body})?$"
    )


def choice_query(
    description: str, allowed: Sequence[str], *, name: str | None = None
) -> QueryParameter:
    """One of `allowed` (`QueryErrors.choice`); empty means the default."""
    return query(description, name=name, enum=["", *allowed])


def number_query(
    description: str, low: float, high: float, *, whole: bool = False
) -> QueryParameter:
    """A number within `low..high` (`QueryErrors.number` or `.integer`)."""
    return query(
        description, one_of=None, type="integer" if whole else "number", minimum=low, maximum=high
    )
