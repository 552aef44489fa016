"""Scheduled reconciliation with the civil registry and the tax service (APScheduler).

Nothing is implemented yet: the foundation issue only fixes the layout.
"""
