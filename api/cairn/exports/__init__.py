"""Streaming writers for open data: public records in, bytes out, memory flat."""
