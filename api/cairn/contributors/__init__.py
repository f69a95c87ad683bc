"""Contributors: anonymous devices, pseudonyms, optional accounts, my observations, my data (copy
and erasure).
"""
