"""Staff: accounts, sign-in, grants within a scope, and the audit trail."""
