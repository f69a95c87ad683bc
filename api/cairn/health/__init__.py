"""Liveness and database reachability. Nothing imports it but the app."""
