"""The ``sanarip-hub`` command line: the only place that wires every piece together."""
