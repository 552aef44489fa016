"""A readiness check: what ``/readyz`` prints for scripts and the health page shows for people.

A check's detail is fixed English, or an English template with its values kept apart, so that the
console translates the words and fills in the values instead of parsing the English back (it once
matched ``at X, code expects Y`` with a pattern, and any new wording would have shown untranslated).
"""

from __future__ import annotations

from typing import NamedTuple


class Check(NamedTuple):
    name: str
    ok: bool
    detail: str  # fixed English, or with ``values`` its %-template
    values: tuple[tuple[str, str], ...] = ()

    def english(self) -> str:
        """The detail as ``/readyz`` prints it."""
        return self.detail % dict(self.values) if self.values else self.detail


MIGRATIONS_AT = "at %(current)s, code expects %(head)s"  # the migrations check's detail template
