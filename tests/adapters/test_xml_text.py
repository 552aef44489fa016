"""The one escaper: every value, whatever it holds, becomes text that cannot break a document."""

from __future__ import annotations

import pytest
from lxml import etree

from adapters.xroad.xml_text import _ATTRIBUTE, _TEXT, attribute, element, text

# every character the tables change, beside ones they keep (Cyrillic, Kyrgyz letters, quotes, tab)
SPECIAL = sorted({*_TEXT, *_ATTRIBUTE} - set(range(0xD801, 0xDFFF)))
KEPT = [ord(c) for c in "Aа өүң'\"\t\n\r"] + [0x7F, 0xFFFD, 0x10000, 0xE000]


@pytest.mark.parametrize("code", SPECIAL + KEPT)
def test_each_character_is_escaped_or_dropped_as_the_tables_say(code: int) -> None:
    value = f"Асанов {chr(code)} үй"
    assert text(value) == value.translate(_TEXT)
    assert attribute(value) == value.translate(_ATTRIBUTE)


def test_values_with_nothing_to_escape_come_back_unchanged() -> None:
    for value in ("", "Асанов Бакыт Өмүрбекович", "2026-12-05", "21705198091234", "ok"):
        assert text(value) is value
        assert attribute(value) is value


def test_escaped_values_parse_back_to_themselves() -> None:
    hostile = "a & b < c > d \" e ' f\x00g\x1fh\ud800i\ufffej\tk\nl\rm"
    kept = "".join(c for c in hostile if c not in "\x00\x1f\ud800\ufffe")
    document = f'<r a="{attribute(hostile)}">{text(hostile)}</r>'.encode()
    root = etree.fromstring(document)
    assert root.get("a") == kept
    assert root.text == kept.replace("\r", "\n")  # element content: line ends normalised on parse
    assert element("x", "<&>") == "<x>&lt;&amp;&gt;</x>"
