"""Registry simulators: real X-Road providers on loopback for the civil registry and the tax service."""
