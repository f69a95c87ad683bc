"""Records: what every record needs, below every feature that stores, moderates or publishes one.

The shared vocabulary (vocabulary: Slug, Kind, Licence, Geoprivacy, Flag, the fields moderation
tracks), a record's photos as readers see them (photos), the disclosure policy (disclosure) and
the one writer of the public projection (projection). Others may use all of it; every write path
calls `projection.project` or `projection.replace` in its own transaction.
"""
