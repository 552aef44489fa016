"""The civil registry (State Registration Service / SE Infocom, GOV/70000005) as the hub consumes it."""
