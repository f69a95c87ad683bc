"""Researchers' API keys, stored hashed, and the per-client rate limits they raise."""
