"""Moderation: the queue, decisions one by one or in bulk, re-identification, and each record's
history.
"""
