"""The offline bundle: what the field app needs with no signal (kinds, taxa, sites)."""
