"""The one way the hub writes XML: as text, through one escaper.

Requests to registries, the producer's answers, the simulators' replies and SOAP faults are
written as text from declarations (a household card is some fifty elements: building them one
lxml call at a time cost more than everything else a response needs).  Every value goes through
:func:`text` or :func:`attribute`: markup is escaped and the characters XML 1.0 forbids (C0
controls other than tab, newline and carriage return; U+FFFE, U+FFFF; lone surrogates) are dropped,
so no value — a database field, a caller's ``userId``, an error message — can break a document.

An lxml tree is used only where the document is a tree anyway: a response reuses the parsed
request's envelope (its header is echoed exactly, :mod:`adapters.xroad.envelope`), a certificate
is signed as a tree (:mod:`adapters.xroad.certificate`), and the WSDLs are generated once.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

_TEXT: dict[int, str | None] = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_TEXT.update({c: None for c in range(32) if c not in (9, 10, 13)})
_TEXT.update({0xFFFE: None, 0xFFFF: None})
_TEXT.update({c: None for c in range(0xD800, 0xE000)})  # lone surrogates cannot be encoded
_ATTRIBUTE = {**_TEXT, ord('"'): "&quot;", 9: "&#9;", 10: "&#10;", 13: "&#13;"}


def _finder(table: dict[int, str | None]) -> re.Pattern[str]:
    """A pattern matching any character ``table`` changes."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")


# Most values (names, dates, codes) hold nothing to escape: one search in C finds that, where
# str.translate looks every character of a Cyrillic string up in a dict (py-spy: 6% of a worker's
# CPU under load went to escaping a card's values)
_TEXT_CHANGES = _finder(_TEXT).search
_ATTRIBUTE_CHANGES = _finder(_ATTRIBUTE).search


def text(value: str) -> str:
    """``value`` as element content."""
    return value.translate(_TEXT) if _TEXT_CHANGES(value) else value


def attribute(value: str) -> str:
    """``value`` inside a double-quoted attribute (whitespace kept as character references, which
    attribute-value normalisation would otherwise turn into spaces)."""
    return value.translate(_ATTRIBUTE) if _ATTRIBUTE_CHANGES(value) else value


def element(tag: str, value: str) -> str:
    """``<tag>value</tag>`` with ``value`` escaped (``tag`` is the caller's, never input)."""
    return f"<{tag}>{text(value)}</{tag}>"


def scalar_text(value: Any) -> str:
    """A declared scalar as its XSD lexical form (boolean, dateTime in UTC as ``Z``, date,
    decimal without exponent), unescaped."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)
