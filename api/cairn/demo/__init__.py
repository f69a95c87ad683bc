"""Labelled demo data and the seeding of a fresh database, through the observation intake.

Only the CLI imports it.
"""
