"""Normalising names and dates from registries so that equal things compare equal.

Registers disagree on *spelling*, not only on facts (FACTS §5): Kyrgyz letters typed as Russian ones
(ү→у, ө→о, ң→н), ё/е and э/е, doubled vowels (Жээнбеков/Жеенбеков), Latin passport spellings with
competing conventions (ж→Zh or J, ү→U/Y/UE, ө→O/OE, ң→N/NG, х→Kh/H), case and spacing, and the
name structure itself: a Russian-style surname (-ов/-ева) or "father's name + uulu/kyzy/tegin", or a
bare ancestor's name since 2025.  Reconciliation must flag real differences, never these.

Every name is folded to one *skeleton*: upper-case ASCII with each letter family collapsed (Cyrillic
transliterated, Kyrgyz letters folded to their Russian look-alikes first, digraphs unified, doubled
vowels collapsed).  Folding is a ``str.translate`` plus a few ``replace`` calls, cached per string,
because the comparison step must run at 100,000 records a second.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

# Kyrgyz and Russian letters → the Latin spelling used for the skeleton (Kyrgyz letters fold to
# their Russian look-alikes: ү→у, ө→о, ң→н; ё→е; ъ, ь vanish).
_CYRILLIC = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Е": "E", "Ё": "E", "Ж": "J", "З": "Z", "И": "I",
    "Й": "I", "К": "K", "Л": "L", "М": "M", "Н": "N", "Ң": "N", "О": "O", "Ө": "O", "П": "P", "Р": "R",
    "С": "S", "Т": "T", "У": "U", "Ү": "U", "Ф": "F", "Х": "H", "Ц": "TS", "Ч": "CH", "Ш": "SH",
    "Щ": "SH", "Ъ": "", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "YU", "Я": "YA",
}  # fmt: skip
# Latin letters with diacritics from the competing Kyrgyz Latin conventions.
_LATIN = {"Ü": "U", "Ö": "O", "Ñ": "N", "Ç": "CH", "Ş": "SH", "Ğ": "G", "I": "I", "İ": "I"}
_TABLE = str.maketrans({**_CYRILLIC, **_LATIN})
# digraphs that several conventions spell differently, in the order they must be unified
_DIGRAPHS = (("ZH", "J"), ("DJ", "J"), ("KH", "H"), ("UE", "U"), ("OE", "O"), ("YO", "E"), ("YU", "IU"))
_NOT_LETTER = re.compile(r"[^A-Z]+")
_DOUBLE = re.compile(r"([AEIOUY])\1+")

PARTICLES = frozenset({"UULU", "KYZY", "TEGIN"})  # skeletons of уулу/uulu, кызы/kyzy, тегин/tegin
_SURNAME_ENDINGS = ("OVA", "EVA", "OV", "EV")


@lru_cache(maxsize=1 << 18)
def skeleton(word: str) -> str:
    """The comparison key of one word: ``Жээнбеков``, ``Jeenbekov`` and ``ZHEENBEKOV`` agree."""
    text = unicodedata.normalize("NFC", word).upper().translate(_TABLE)
    text = unicodedata.normalize("NFKD", text)
    text = _NOT_LETTER.sub("", text.encode("ascii", "ignore").decode("ascii"))
    for old, new in _DIGRAPHS:
        text = text.replace(old, new)
    while "NG" in text:  # ң is N, NG or Ñ; Чыңгыз is Chyngyz or Chynggyz: fold until none is left
        text = text.replace("NG", "N")
    text = text.replace("Y", "I") if "Y" in text and not text.startswith("Y") else text
    return _DOUBLE.sub(r"\1", text)


def _words(text: str | None) -> list[str]:
    if not text:
        return []
    return [w for w in (skeleton(part) for part in re.split(r"[\s\-‐,.]+", text)) if w]


def stem(word: str) -> str:
    """A surname skeleton without its Russian-style ending (Асанов, Асанова, Asanov → ASAN)."""
    for ending in _SURNAME_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)]
    return word


@dataclass(frozen=True)
class NameKey:
    """A person's name reduced to what survives every register's spelling.

    ``given``: the given name's skeleton; ``family``: the set of family-name stems — the surname's
    stem, and the father's name whether it appears as a patronymic (Асанович), before a particle
    (Асан уулу) or as a bare ancestor's name.  Two names match when the given names agree and the
    family sets share a stem; order, particles and -ов/-ева are ignored.
    """

    given: str
    family: frozenset[str]


def _patronymic_stem(word: str) -> str:
    for ending in ("OVICH", "EVICH", "OVNA", "EVNA", "ICH", "INICHNA", "ICHNA"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=1 << 18)
def name_key(given: str | None, surname: str | None, patronymic: str | None) -> NameKey:
    given_words = _words(given)
    family: set[str] = set()
    for word in _words(surname):
        if word not in PARTICLES:
            family.add(stem(word))
    patronymic_words = _words(patronymic)
    for word in patronymic_words:
        if word not in PARTICLES:
            family.add(_patronymic_stem(stem(word)))
    # "Азамат Жаныбек уулу" typed into the given-name field: the extra words are family names
    if len(given_words) > 1:
        family.update(stem(w) for w in given_words[1:] if w not in PARTICLES)
    return NameKey(given_words[0] if given_words else "", frozenset(family))


def same_person_name(
    hub: tuple[str | None, str | None, str | None], registry: tuple[str | None, str | None, str | None]
) -> bool:
    """Given, surname, patronymic from each side: the same person's name, however spelt."""
    a, b = name_key(*hub), name_key(*registry)
    if a.given == b.given:
        return not a.family or not b.family or bool(a.family & b.family)
    # surname and given name swapped between registers
    return bool({stem(a.given)} & b.family) and bool({stem(b.given)} & a.family)


@lru_cache(maxsize=1 << 18)
def _surname_stems(text: str | None) -> frozenset[str]:
    return frozenset(stem(w) for w in _words(text) if w not in PARTICLES)


def same_surname(hub: str | None, registry: str | None) -> bool:
    """The surname field alone: equal after folding and without -ов/-ева, or one the other's
    father's-name form (Турсунбеков ~ Турсунбек уулу)."""
    a, b = _surname_stems(hub), _surname_stems(registry)
    return a == b or (bool(a) and bool(b) and bool(a & b) and (a <= b or b <= a))


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d", "%Y.%m.%d", "%d-%m-%Y")


@lru_cache(maxsize=1 << 16)
def parse_date(text: str | None) -> date | None:
    """A date in any of the formats registries send (ISO, DD.MM.YYYY, with a time part …)."""
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    if "T" in value or " " in value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            value = value.split("T")[0].split(" ")[0]
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")
