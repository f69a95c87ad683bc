"""Observations: the wire model, validation, intake (single and batch, exactly once), edits and
withdrawals.

Others may use: model (ObservationIn, ObservationOut, MyObservation), service (intake, for the
demo), and the store's reads (`to_out`, `owned`, `by_device`, `my_observation`). Every change of a
record goes through its service, or through moderation's for a decision. Never its routes.
"""
