"""Open data: the public projection, filters, JSON, GeoJSON, CSV, Darwin Core Archive and OGC API -
Features.
"""
