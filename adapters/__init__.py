"""The protocol edge: X-Road (Tunduk) producer and consumers.

``adapters/xroad`` will hold identifiers, the one hardened XML parser, envelopes, faults and the
producer web app; ``adapters/<registry>`` one client per consumed registry service.  Nothing is
implemented here yet: the foundation issue only fixes the layout.
"""
