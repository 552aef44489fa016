"""How the console writes a moment and a number for its reader (issue 17).

A time is shown in the hub's time zone with the zone named (``2026-12-03 23:15 +06``): a clerk in
Osh reads the local time, and an auditor comparing with a log in UTC sees which zone it is in.  The
database keeps UTC; SQLite gives it back without a zone, which is read as UTC.  A number is grouped
as the page's language groups it (ky and ru with a no-break space, en with a comma), by Babel's CLDR
data, the same library that reads the catalogs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

CLDR = {"ky": "ky", "ru": "ru", "en": "en"}


def moment_text(moment: datetime | int | None, zone: ZoneInfo, seconds: bool = False) -> str:
    """``moment`` (a datetime, or epoch milliseconds) in ``zone``, with the zone's name; "—" for none."""
    if moment is None:
        return "—"
    if isinstance(moment, int):
        moment = datetime.fromtimestamp(moment / 1000, UTC)
    elif not isinstance(moment, datetime):  # a date has no time and no zone to convert
        return moment.isoformat() if isinstance(moment, date) else str(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def number_text(value: int | float | str | None, language: str) -> str:
    """``value`` grouped as ``language`` writes numbers; text (a "—") passes through."""
    if value is None:
        return "—"
    if isinstance(value, str | bool):
        return str(value)
    return str(format_decimal(value, locale=CLDR.get(language, "en")))
