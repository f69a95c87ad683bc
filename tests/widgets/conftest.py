"""Fixtures of the widget browser tests: a host site on another origin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.widgets.test_embedding_in_a_browser import HOST_PAGE, static_site


@pytest.fixture
def host_url(tmp_path: Path, cairn_url: str) -> Iterator[str]:
    """A host site whose page holds only the script tags."""
    with static_site(tmp_path, HOST_PAGE.format(cairn=cairn_url)) as url:
        yield url
