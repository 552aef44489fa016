"""The console's languages: gettext catalogs (``locale/<lang>/LC_MESSAGES/console.po``) read with Babel.

English is the source language (the message ids); Kyrgyz and Russian catalogs translate them.  The
``.po`` files are compiled in memory at start-up, so no build step is needed to run the console.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = (("ky", "Кыргызча"), ("ru", "Русский"), ("en", "English"))
CODES = frozenset(code for code, _ in LANGUAGES)
DOMAIN = "console"


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language`` (English and unknown codes: the message ids themselves)."""
    path = catalog_path(language)
    if language not in CODES or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def negotiate(accept_language: str | None, default: str) -> str:
    """The first of the browser's languages the console speaks (``ky``, ``ru``, ``en``)."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in CODES:
            return code
    return default
