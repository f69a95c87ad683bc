"""The interactive API documentation at /api/docs, with its assets served by Cairn itself.

Nothing imports it but the app.
"""
