"""The field app (PWA) served at /, and the runtime settings it reads.

Nothing imports it but the app; its CSP and content negotiation are in core.http.
"""
