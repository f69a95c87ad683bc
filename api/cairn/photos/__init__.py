"""Photos: decoded by content, stripped of metadata, resized, stored by hash, served while their
record is visible.

Others may use: service (PhotoWork, `forget_files`), deps (PhotoWork as a route dependency), the
store's reads and its deletion of a device's photos (erasure, in mydata). What every reader needs
to name a photo is in records.photos. Never its routes.
"""
