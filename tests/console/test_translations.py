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


GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"


def glossary() -> list[tuple[str, dict[str, list[str]], dict[str, list[str]]]]:
    """(term, the stems each language must use, the words each must avoid) from docs/glossary.md."""
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("term (en)", "---") or set(cells[0]) <= {"-"}:
            continue
        term, ky, ru, avoid, _ = cells
        avoid_ky, _, avoid_ru = avoid.partition(";")

        def words(cell: str) -> list[str]:
            return [word.strip().lower() for word in cell.split(",") if word.strip()]

        rows.append(
            (term, {"ky": words(ky), "ru": words(ru)}, {"ky": words(avoid_ky), "ru": words(avoid_ru)})
        )
    return rows


def test_the_glossary_gives_distinct_things_distinct_words() -> None:
    terms = glossary()
    assert {"ledger", "registry", "sign in", "register"} <= {term for term, _, _ in terms}
    for language in ("ky", "ru"):
        stems = [stem for _, use, _ in terms for stem in use[language]]
        assert len(stems) == len(set(stems)), (language, stems)


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_every_message_naming_a_term_uses_its_word(language: str) -> None:
    """ "Кирүү" was both "sign in" and the access ledger, "реестр" both the ledger and a registry."""
    with catalog_path(language).open(encoding="utf-8") as handle:
        catalog = read_po(handle)
    wrong = []
    for term, use, avoid in glossary():
        named = re.compile(rf"\b{term.replace(' ', '[ -]')}(s|'s)?\b", re.IGNORECASE)
        for message in catalog:
            if not (message.id and message.string and named.search(str(message.id))):
                continue
            text = str(message.string).lower()
            if not any(stem in text for stem in use[language]) or any(
                word in text for word in avoid[language]
            ):
                wrong.append((term, str(message.id), str(message.string)))
    assert wrong == [], "\n".join(" | ".join(item) for item in wrong)


def test_the_catalog_tool_finds_every_message_translated() -> None:
    """``tools/catalogs.py --check``, as the README tells a developer to run it, agrees with the
    catalogs (it once checked a stale copy of the translations of its own and failed on 54)."""
    import subprocess
    import sys

    tool = CONSOLE.parents[1] / "tools" / "catalogs.py"
    done = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
