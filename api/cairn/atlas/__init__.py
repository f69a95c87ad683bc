"""The atlas, a contributor's impact and an organisation's dashboard, from the public projection.

Highest feature: it reads what those below publish. Nothing imports it but the app.
"""
