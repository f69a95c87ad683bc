"""Where the files Cairn reads at run time live (migrations, schemas, PWA build).

In a checkout they are top-level folders; in a wheel they are bundled inside
the package under `_bundled/` (see pyproject's force-include).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]
_CHECKOUT = _PACKAGE.parent.parent


def resource_path(name: str) -> Path:
    """The folder `name` (e.g. "migrations", "schemas", "pwa/dist")."""
    bundled = _PACKAGE / "_bundled" / name
    return bundled if bundled.exists() else _CHECKOUT / name
