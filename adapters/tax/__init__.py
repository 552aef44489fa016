"""The tax service (GOV/70000002, gns-service) as the hub consumes it."""
