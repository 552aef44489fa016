"""The nightly jobs: reconciliation with the civil registry and the tax service, and their schedule.

:mod:`.reconcile` runs one reconciliation (resumable, idempotent, every call a ledger entry), calling
the registries through the :class:`~.reconcile.RegistryFeed` port and comparing with
:mod:`mappings.registry`; :mod:`.scheduler` runs the jobs and the ledger's verification on their
cron schedule under a lock, so that only one scheduler acts.
"""
