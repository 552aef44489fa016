"""``pass_hub``: every command receives the composition root's :class:`~sanarip_hub.entrypoints.hub.Hub`."""

from __future__ import annotations

import click

from sanarip_hub.entrypoints.hub import Hub

pass_hub = click.make_pass_decorator(Hub)
