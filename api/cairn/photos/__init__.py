"""Photos: decoded by content, stripped of metadata, resized, stored by hash, served while their
record is visible.
"""
