"""The access-ledger entry of a command-line command that shows people's data.

The console writes one for every page that shows a person; a command that prints the same data
(``mismatches list``, ``certificates show`` …) is the same act by an operator at a terminal, so it
writes the same entry: who (``cli:<login name>``), which command, whose data.  The entry is committed
before anything is printed: if the ledger cannot take it, nothing is shown.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sanarip_hub.config import Settings
from sanarip_hub.domain.exchange import OK, Channel, Direction, Exchange
from sanarip_hub.ledger.store import Ledger

if TYPE_CHECKING:  # made by storage.engine
    from sqlalchemy import Engine


def operator_user() -> str:
    """The login name of whoever runs the command (the ledger's ``cli:<user>``)."""
    return getpass.getuser()


def record_cli_access(
    settings: Settings,
    engine: Engine,
    command: str,
    subjects: Iterable[str | None],
    issue: str | None = None,
    user: str | None = None,
) -> None:
    """Append ``cli:<command>`` by ``cli:<user>`` for these people (``None``: a row with no PIN).

    Nothing is written when no person is shown: an empty listing discloses nobody.
    """
    pins = tuple(sorted({pin for pin in subjects if pin}))
    if not pins:
        return
    Ledger.for_settings(engine, settings).append(
        Exchange(
            Direction.INTERNAL,
            Channel.OPERATOR,
            service_id=f"cli:{command}",
            outcome=OK,
            client_id=settings.xroad.subsystem,
            user_id=f"cli:{user or operator_user()}",
            issue=issue,
            subjects=pins,
        )
    )
