"""The exchange and access ledger: append-only, hash-chained, Merkle-checkpointed, verifiable offline.

``merkle`` is the RFC 9162 tree (hashes, inclusion and consistency proofs); ``note`` the C2SP signed
note and tlog-checkpoint formats with Ed25519 keys, so that standard transparency-log tooling can
read our checkpoints.
"""
