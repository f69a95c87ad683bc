"""Staff: accounts, sign-in, grants within a scope, and the audit trail.

Others may use: auth (the signed-in staff member as a route dependency), policy (who may do
what where), model, audit (a service appends its entry in its own transaction), lockout.
Never its routes.
"""
