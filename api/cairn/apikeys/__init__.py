"""Researchers' API keys, stored hashed, and the per-client rate limits they raise.

Others may use: middleware (`check_api_request`, for the app and the OGC router); the CLI uses
the store to create a key. Never imported by a lower feature.
"""
