"""The territory as a route dependency: the communes' index the app builds at start-up."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import NamedDependency

from cairn.reference.territory import Territory


def provide_territory(state: State) -> Territory:
    """The territory's communes, indexed at start-up."""
    territory: Territory = state.territory
    return territory


AppTerritory = NamedDependency[Territory]
"""Annotate a route parameter named `territory` with this to receive the territory index."""
