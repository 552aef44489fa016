"""``register export``: the hub's household books in the exchange format, one directory per LSG body.

``DIR/<LSG СОАТЕ code>/households.jsonl``, households in the order the hub keeps them.  Each file is
written beside its final name and renamed into place, so a reader never sees half a file; an LSG
body without households gets no file.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sanarip_hub.errors import RegisterError
from sanarip_hub.register.jsonlines import write_record
from sanarip_hub.register.records import record_of
from sanarip_hub.register.schema import RECORD_TYPES
from sanarip_hub.storage.register_books import RegisterBooks


@dataclass
class ExportReport:
    households: int = 0
    persons: int = 0
    files: list[str] = field(default_factory=list)


def export_register(
    books: RegisterBooks,
    directory: Path,
    lsg: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    territory = books.territory()
    if lsg is not None and lsg not in territory.lsg_bodies:
        raise RegisterError(f"no LSG body with СОАТЕ code {lsg} is known to the hub")
    codes = [lsg] if lsg is not None else sorted(territory.lsg_bodies)
    report = ExportReport()
    name = RECORD_TYPES["household"][0]
    for code in codes:
        stored = books.books(territory.lsg_bodies[code])
        first = next(stored, None)
        if first is None:
            continue
        target = directory / code / name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{name}.partial")
        persons: set[int] = set()
        with partial.open("w", encoding="utf-8") as handle:
            for book in itertools.chain([first], stored):
                write_record(handle, record_of(book, code))
                persons.update(member.person_id for member in book.members)
                report.households += 1
                if progress is not None:
                    progress(1)
        os.replace(partial, target)
        report.files.append(str(target))
        report.persons += len(persons)
    return report
