"""Cairn: participatory science for mountain territories."""

__version__ = "0.1.0"
