"""Sanarip Hub: the X-Road (Tunduk) adapter and exchange hub of the Sanarip Aimak LSG information system.

The core package holds the domain model of the five Sanarip Aimak modules, storage, configuration,
logging and the CLI. Protocol code lives in the top-level ``adapters`` package, pure record mappings
in ``mappings`` and scheduled reconciliation in ``sync_jobs``.
"""

__version__ = "0.1.0"
