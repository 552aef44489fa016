"""Pure, declarative mappings between registry records and the hub model (no I/O).

Name, PIN and date normalisation and the per-field comparison rules of reconciliation live here.
Nothing is implemented yet: the foundation issue only fixes the layout.
"""
