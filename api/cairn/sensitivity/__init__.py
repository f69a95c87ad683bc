"""Sensitivity rules (SINP levels) and the background re-projection they trigger.

Others may use: model (`level_for`, compiled rules) and the store's reads of the rules that
apply. Rules change only through its service. Never its routes.
"""
