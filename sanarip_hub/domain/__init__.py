"""The domain: identifiers (PIN, СОАТЕ, X-Road members and services), code lists, the reference
territory, and the service contracts (the hub's own and their declaration types) as data.

These modules import the standard library and :mod:`sanarip_hub.errors` only (a check in
``make test`` holds them to it), so every other layer can depend on them without I/O.
"""
