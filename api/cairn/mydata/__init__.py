"""My data: the list of a contributor's observations, the copy of everything held on them, and
erasure.

Above observations and photos, whose reads it gathers and whose photos it erases. Nothing imports
it but the app.
"""
