"""Programme kinds: observation forms that staff build and publish, versioned, and the registry
of every kind (kinds, kinds_store) that validation, the bundle and the open data read.

Others may use: kinds and kinds_store (published schemas), model. Changes go through its
service. Never its routes.
"""
