"""The address bureau's settlement codes, read as СОАТЕ through its crosswalk.

``asbAddress`` answers ``addressArray.code`` in the bureau's own numbering (FACTS §2.3 lists the
element, not its code list); the hub's register keeps СОАТЕ.  A code is therefore only compared once
the crosswalk the bureau publishes maps it, and a code the crosswalk lacks is never taken for a
СОАТЕ code, even when it has fourteen digits: a wrong flag would send a clerk to "correct" a right
address.  The crosswalk is a CSV file, ``bureau_code,soate``, one row per code.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sanarip_hub.errors import ConfigError

Crosswalk = dict[str, str]
"""Bureau code → СОАТЕ code."""

HEADER = ("bureau_code", "soate")
_SOATE = re.compile(r"\d{14}")
_KEY = "consumers.address_crosswalk"


def read_crosswalk(path: Path) -> Crosswalk:
    """The crosswalk in ``path``; a malformed file is one :class:`ConfigError` naming the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(_KEY, str(path), "no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(_KEY, str(path), f"cannot be read: {error}") from None

    def wrong(line: int, problem: str) -> ConfigError:
        return ConfigError(_KEY, str(path), f"line {line}: {problem}")

    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None or tuple(cell.strip() for cell in header) != HEADER:
        raise wrong(1, "the header must be " + ",".join(HEADER))
    crosswalk: Crosswalk = {}
    for line, row in enumerate(rows, start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 2:
            raise wrong(line, "two fields expected")
        code, soate = row[0].strip(), row[1].strip()
        if not _SOATE.fullmatch(soate):
            raise wrong(line, f"{soate} is not a 14-digit СОАТЕ code")
        known = crosswalk.setdefault(code, soate)
        if known != soate:
            raise wrong(line, f"bureau code {code} is mapped twice ({known}, {soate})")
    return crosswalk


def write_crosswalk(path: Path, pairs: dict[str, str]) -> int:
    """Write ``pairs`` (bureau code → СОАТЕ) as a crosswalk file; returns the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(sorted(pairs.items()))
    return len(pairs)
