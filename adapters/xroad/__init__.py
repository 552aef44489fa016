"""X-Road (Tunduk) protocol: headers, envelopes, the hardened XML parser, faults, consumers, transport."""
