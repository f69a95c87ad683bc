"""Exchange with the platforms parks use: datasets, the SINP export for GeoNature, imports."""
