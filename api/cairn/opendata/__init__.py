"""Open data: filters, JSON, GeoJSON, CSV, Darwin Core Archive and OGC API - Features.

Reads only: it reads the public projection that records.projection writes, and writes nothing
(partitions is the CLI's table maintenance). Others may use: csv (cell formatting, for the atlas's
dashboard); the CLI uses dwca, partitions and `routes.dataset_info`. No feature below imports it.
"""
