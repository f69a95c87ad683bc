"""Dependencies shared by routes: the pool and the settings, from app state."""

from __future__ import annotations

import asyncpg
from litestar.datastructures import State
from litestar.di import NamedDependency

from cairn.settings import Settings


def provide_pool(state: State) -> asyncpg.Pool:
    """The asyncpg pool opened at start-up."""
    pool: asyncpg.Pool = state.pool
    return pool


def provide_settings(state: State) -> Settings:
    """The settings the app was built with."""
    settings: Settings = state.settings
    return settings


DbPool = NamedDependency[asyncpg.Pool]
"""Annotate a route parameter named `pool` with this to receive the pool."""
AppSettings = NamedDependency[Settings]
"""Annotate a route parameter named `settings` with this to receive the settings."""
