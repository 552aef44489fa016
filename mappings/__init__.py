"""Pure, declarative mappings between registry records and the hub model (no I/O).

``normalize`` folds names and dates so that spellings of the same thing compare equal; the per-field
comparison rules of reconciliation build on it.
"""
