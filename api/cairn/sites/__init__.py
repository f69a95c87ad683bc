"""Monitored sites: the places a programme's visitors return to.

Others may use: model (PublicSite, history) and the store's reads of public sites. Changes go
through its service. Never its routes.
"""
