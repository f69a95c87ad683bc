"""Organisations and programmes: who runs what, where, for which kinds of record."""
