"""Dependencies shared by routes: the pool and the settings, from app state."""

from __future__ import annotations

import asyncpg
from litestar.datastructures import State
from litestar.di import NamedDependency

from cairn.core.replica import ReplicaRouter
from cairn.settings import Settings


def provide_pool(state: State) -> asyncpg.Pool:
    """The asyncpg pool opened at start-up."""
    pool: asyncpg.Pool = state.pool
    return pool


def provide_read_pool(state: State) -> asyncpg.Pool:
    """The pool for read-only open-data queries: the replica's while it keeps up, else the main."""
    router: ReplicaRouter | None = state.replica
    pool: asyncpg.Pool = state.pool if router is None else router.pool()
    return pool


def provide_settings(state: State) -> Settings:
    """The settings the app was built with."""
    settings: Settings = state.settings
    return settings


DbPool = NamedDependency[asyncpg.Pool]
"""Annotate a route parameter named `pool` with this to receive the pool."""
ReadPool = NamedDependency[asyncpg.Pool]
"""Annotate a route parameter named `read_pool` with this for read-only open-data queries."""
AppSettings = NamedDependency[Settings]
"""Annotate a route parameter named `settings` with this to receive the settings."""
