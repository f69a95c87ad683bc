"""The photo work as a route dependency: the store and the decoding limiter, one per process."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import NamedDependency

from cairn.photos.service import PhotoWork

PhotoWorkDep = NamedDependency[PhotoWork]
"""A route parameter named `photo_work`: the photo store and the decoding limiter."""


def provide_photo_work(state: State) -> PhotoWork:
    """The process's photo store and limiter, built with the app."""
    work: PhotoWork = state.photo_work
    return work
