"""Extract the console's messages and bring its gettext catalogs (``locale/*/LC_MESSAGES/console.po``)
up to date with them.

    .venv/bin/python tools/catalogs.py          # add new messages (untranslated), drop unused ones
    .venv/bin/python tools/catalogs.py --check  # exit 1 if a message lacks a ky or ru translation

Messages come from the templates (Jinja2's Babel extractor) and the Python modules of the console
(``_(...)`` calls).  The catalogs are the translations' only home: this tool keeps every existing
translation and never invents one (it once held its own copy of them, which fell behind the
catalogs, so that rewriting them would have erased a hundred translations).
``tests/console/test_translations.py`` checks the same from the sources, with the glossary.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CONSOLE = ROOT / "sanarip_hub" / "console"
KEYWORDS = {"_": None, "gettext": None, "N_": None}  # N_: marked where raised, translated where shown
LANGUAGES = ("ky", "ru")


def messages() -> list[str]:
    found: list[str] = []
    sources = [(p, "jinja2.ext:babel_extract") for p in sorted((CONSOLE / "templates").glob("*.html"))]
    sources += [(p, "python") for p in sorted(CONSOLE.glob("*.py"))]
    for path, method in sources:
        options = {"extensions": "jinja2.ext.i18n"} if method != "python" else {}
        for _lineno, message, _comments, _context in extract_from_file(
            method, path, KEYWORDS, options=options
        ):
            if isinstance(message, str) and message not in found:
                found.append(message)
    return found


def catalog_file(language: str) -> Path:
    return CONSOLE / "locale" / language / "LC_MESSAGES" / "console.po"


def existing(language: str) -> dict[str, str]:
    """The translations the catalog of ``language`` holds now (message id → text)."""
    path = catalog_file(language)
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id and m.string}


def main() -> int:
    wanted = messages()
    problems = 0
    for language in LANGUAGES:
        held = existing(language)
        missing = [m for m in wanted if m not in held]
        unused = [m for m in held if m not in wanted]
        problems += len(missing)
        if "--check" in sys.argv:
            for message in missing:
                print(f"{language}: no translation: {message!r}")
            continue
        fixed = datetime(2026, 11, 28, tzinfo=UTC)  # stable headers: the files change only with messages
        catalog = Catalog(
            locale=language, domain="console", project="Sanarip Hub", version="1", fuzzy=False,
            creation_date=fixed, revision_date=fixed, copyright_holder="Sanarip Hub developers",
        )  # fmt: skip
        for message in wanted:
            catalog.add(message, held.get(message, ""))
        with catalog_file(language).open("wb") as handle:
            write_po(handle, catalog, omit_header=False, width=100, no_location=True, sort_output=False)
        print(f"{language}: {len(wanted)} messages; {len(missing)} to translate; {len(unused)} dropped")
    return 1 if problems and "--check" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
