"""Embeddable widgets: pages for an iframe, their assets, the embed script and the builder.

The pages read the open-data API from the browser; the server reads only programmes' names and
the territory. Nothing imports it but the app.
"""
