"""Embeddable widgets: pages for an iframe, their assets, the embed script and the builder."""
