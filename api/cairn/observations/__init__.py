"""Observations: the wire model, validation, intake (single and batch, exactly once), edits and
withdrawals, and the disclosure policy.
"""
