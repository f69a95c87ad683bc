"""Sensitivity rules (SINP levels) and the background re-projection they trigger."""
