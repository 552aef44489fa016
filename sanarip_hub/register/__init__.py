"""The register exchange format: Sanarip Aimak's household books in and out of the hub.

``register export`` writes what the hub holds and ``register import`` reads it back, keyed by the
natural keys an LSG office knows (PIN, account number), so a second import updates instead of
duplicating.  The format is described in ``docs/register-format.md`` and by one JSON Schema per
record type (:mod:`sanarip_hub.register.schema`, committed under ``docs/register/``).
"""
