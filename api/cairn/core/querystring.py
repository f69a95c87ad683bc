"""Query strings of the QR, poster and widget routes: each parameter at most once.

`?programme=a&programme=b` must not print a poster for whichever value the
framework happens to keep; the route refuses it before reading anything.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

from cairn.core.errors import InvalidInputError
from cairn.core.queryparams import repeated


def require_single_values(request: Request[Any, Any, Any]) -> None:
    """Raise a 422 naming each parameter that appears more than once."""
    errors = repeated([name for name, _ in request.query_params.multi_items()])
    if errors:
        raise InvalidInputError(errors, "Repeated query parameters")
