"""Every message the console's templates and pages pass to ``_()`` has a Kyrgyz and a Russian
translation: an English sentence on a ky or ru page is a defect (issue 17).  Read from the sources,
so a new message without its translations fails here before anyone sees the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sanarip_hub.console.i18n import catalog_path

CONSOLE = Path(__file__).resolve().parents[2] / "sanarip_hub" / "console"
_MESSAGE = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*[,)]""")


def messages() -> set[str]:
    found: set[str] = set()
    for source in [*CONSOLE.rglob("*.html"), *CONSOLE.rglob("*.py")]:
        for match in _MESSAGE.finditer(source.read_text(encoding="utf-8")):
            found.add((match.group(1) or match.group(2) or "").replace('\\"', '"'))
    found.discard("")
    return found


def test_the_sources_hold_messages() -> None:
    assert len(messages()) > 200  # the pattern still finds them (a broken one would pass anything)
    assert "There is no such page." in messages()


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_every_console_message_is_translated(language: str) -> None:
    with catalog_path(language).open(encoding="utf-8") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(messages() - translated)
    assert missing == [], f"{language}: {len(missing)} untranslated: {missing}"
    placeholders = re.compile(r"\{\w+\}")
    for message in catalog:
        if message.id and message.string:  # a translation keeps every {placeholder} of its message
            assert sorted(placeholders.findall(str(message.string))) == sorted(
                placeholders.findall(str(message.id))
            ), (language, message.id)
