"""What every feature stands on: the database, settings, errors and problem documents, decoding,
query strings and filters, the SINP statuses, rate-limit buckets, photo storage, HTTP pieces that
several features' routes share (core.http).

Lowest layer (with cairn.settings): it imports no feature. Every feature may use all of it.
"""
