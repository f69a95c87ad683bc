"""The offline bundle: what the field app needs with no signal (kinds, taxa, sites).

Reads only, above the kinds, reference and sites it gathers. Nothing imports it but the app.
"""
