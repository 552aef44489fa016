"""``python -m sanarip_hub`` is the same as ``sanarip-hub``."""

from sanarip_hub.cli.main import main

main()
