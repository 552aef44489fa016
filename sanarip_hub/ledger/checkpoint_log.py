"""The checkpoint log: every signed checkpoint, also outside the database.

The database's ``ledger_checkpoint`` table is the working copy; someone with write access to the
database could delete its rows and then rewrite or cut everything after the newest remaining one.
So each signed checkpoint is also appended to this file (``[ledger] checkpoint_log``), one JSON
object per line, ``{"size": N, "note": "<signed note>"}``, written with ``O_APPEND`` in one
``write`` and ``fsync``'ed before the call returns.  When a witness cosigns a checkpoint, the
cosigned note (the same note with the witnesses' signature lines) is appended as a further line.

``ledger verify`` reads it back: a checkpoint here but not in the database, or a tree that does
not match a checkpoint here, is named.  Against someone who can also rewrite this file, only the
witnesses (other parties, other machines) are evidence; the file makes the database alone
insufficient to hide a rewrite, and keeps the cosignatures beside the notes they sign.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sanarip_hub.errors import CheckpointLogError


@dataclass(frozen=True)
class Logged:
    """One line of the checkpoint log."""

    line: int
    size: int
    note: str


class CheckpointLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, size: int, note: str) -> None:
        """Append one checkpoint (or cosigned checkpoint) durably: one write, then fsync."""
        record = (json.dumps({"size": size, "note": note}, ensure_ascii=False) + "\n").encode()
        try:
            created = not self.path.exists()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, record)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:  # the new file's name must survive a crash too
                directory = os.open(self.path.parent, os.O_RDONLY)
                try:
                    os.fsync(directory)
                finally:
                    os.close(directory)
        except OSError as exc:
            raise CheckpointLogError(
                f"cannot append to the checkpoint log {self.path}: {exc.strerror}"
            ) from None

    def read(self) -> list[Logged]:
        """Every complete line (a last line cut by a crash, without its newline, is left out)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise CheckpointLogError(f"cannot read the checkpoint log {self.path}: {exc.strerror}") from None
        records = []
        lines = data.split(b"\n")
        for number, raw in enumerate(lines[:-1], start=1):  # the part after the last newline is torn
            try:
                item = json.loads(raw)
                records.append(Logged(number, int(item["size"]), str(item["note"])))
            except (ValueError, KeyError, TypeError):
                raise CheckpointLogError(f"{self.path}: line {number} is not a checkpoint record") from None
        return records
