"""Settings from the environment: defaults, parsing, and clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cairn.settings import Settings, SettingsError


def test_defaults_match_a_fresh_install() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert settings.data_dir == Path(".cairn-data")
    assert settings.port == 8000
    assert settings.public_statuses == ("certain", "probable")


def test_values_are_read() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u@db/cairn",
            "DATABASE_READ_URL": "postgresql://u@replica/cairn",
            "CAIRN_DATA_DIR": "/srv/cairn",
            "CAIRN_PORT": "9000",
            "CAIRN_PUBLIC_STATUSES": "certain, probable ,doubtful",
            "CAIRN_BASE_URL": "https://cairn.example.org/",
        }
    )
    assert settings.database_url == "postgresql://u@db/cairn"
    assert settings.database_read_url == "postgresql://u@replica/cairn"
    assert settings.data_dir == Path("/srv/cairn")
    assert settings.port == 9000
    assert settings.public_statuses == ("certain", "probable", "doubtful")
    assert settings.base_url == "https://cairn.example.org"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CAIRN_PORT", "eighty", "CAIRN_PORT"),
        ("CAIRN_PORT", "70000", "CAIRN_PORT"),
        ("CAIRN_PUBLIC_STATUSES", "certain,maybe", "maybe"),
        ("CAIRN_PUBLIC_STATUSES", "certain,awaiting_second_opinion", "awaiting_second_opinion"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("DATABASE_READ_URL", "sqlite:///x", "DATABASE_READ_URL"),
        ("CAIRN_LOG_LEVEL", "chatty", "CAIRN_LOG_LEVEL"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({name: value})


@given(st.text(max_size=12))
def test_port_is_either_valid_or_refused_clearly(raw: str) -> None:
    try:
        port = Settings.from_env({"CAIRN_PORT": raw}).port
    except SettingsError as exc:
        assert "CAIRN_PORT" in str(exc)
    else:
        assert 1 <= port <= 65535
