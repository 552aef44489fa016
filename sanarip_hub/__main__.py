"""``python -m sanarip_hub`` is the same as ``sanarip-hub``.

The guard matters: seed worker processes are started with ``spawn``, which imports the parent's
main module again in each child; unguarded, every worker would run the CLI once more.
"""

from sanarip_hub.cli.main import main

if __name__ == "__main__":
    main()
