"""Organisations and programmes: who runs what, where, for which kinds of record.

Others may use: model (texts, programme facts) and the store's reads (a programme by slug).
Changes go through its service. Never its routes.
"""
