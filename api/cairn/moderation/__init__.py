"""Moderation: the queue, decisions one by one or in bulk, re-identification, and each record's
history.

Others may use: model (StaffObservation) and the store's reads (a record as staff see it).
Decisions go through its service; the demo's seed marks its records validated through the
store's `validate_automatically`. Never its routes.
"""
