"""X-Road (Tunduk) protocol core: identifiers, the hardened XML parser, envelopes and faults."""
