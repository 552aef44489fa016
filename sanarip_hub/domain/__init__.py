"""The domain of Sanarip Aimak: identifiers, code lists and the reference territory.

This package imports the standard library only, so every other layer (storage, adapters, mappings,
sync jobs) can depend on it without dragging in I/O.
"""
