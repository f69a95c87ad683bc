"""My data: a contributor's observations, the copy of everything held on them, and erasure."""
