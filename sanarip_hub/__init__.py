"""Sanarip Hub: the X-Road (Tunduk) adapter and exchange hub of the Sanarip Aimak LSG information system.

The core package holds the domain, storage, the services (producer rules, ledger, actualization),
the console, configuration, logging, the composition root (``entrypoints``) and the CLI.  Protocol
code lives in the top-level ``adapters`` package, pure record mappings in ``mappings`` and the
nightly jobs in ``sync_jobs``.  ``docs/architecture.md`` draws the layers.
"""

__version__ = "0.1.0"
