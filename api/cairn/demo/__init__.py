"""Labelled demo data and the seeding of a fresh database."""
