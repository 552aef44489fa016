"""Canonical entry JSON: the fast encoder's bytes are the reference encoder's, or it is not used."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from sanarip_hub.domain.exchange import canonical_json

REFERENCE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True)
# every ASCII character (controls, quote, backslash, DEL), and some that must come out escaped
ALPHABET = [chr(c) for c in range(0x80)] + ["ө", "Ү", "\u2028", "\ufeff", "😀"]


def _text(rnd: random.Random, most: int) -> str:
    return "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, most)))


def _value(rnd: random.Random) -> object:
    return rnd.choice(
        [
            None,
            True,
            False,
            rnd.randint(-(2**63), 2**63 - 1),
            rnd.randint(2**64, 2**70),  # beyond 64 bits
            _text(rnd, 16),
            [_text(rnd, 4) for _ in range(rnd.randint(0, 3))],
        ]
    )


def test_random_documents_encode_as_the_reference_encoder_does() -> None:
    rnd = random.Random(20261205)
    for _ in range(20_000):
        document = {_text(rnd, 4): _value(rnd) for _ in range(rnd.randint(0, 8))}
        assert canonical_json(document) == REFERENCE.encode(document).encode("ascii"), document


def test_an_entry_shaped_document_is_unchanged() -> None:
    document = {"t": 1, "uid": "Асанов", "sub": ["ab"], "rep": None, "ok": True, "v": 2, "iss": "a\x7fb"}
    assert canonical_json(document) == REFERENCE.encode(document).encode("ascii")


@pytest.mark.parametrize("value", [datetime(2026, 12, 5, tzinfo=UTC), {"nested": 1}, ("a", "b")])
def test_values_outside_the_entry_schema_get_the_reference_encoders_answer(value: object) -> None:
    document = {"x": value}
    try:
        expected: bytes | type[Exception] = REFERENCE.encode(document).encode("ascii")
    except TypeError:
        expected = TypeError
    if expected is TypeError:
        with pytest.raises(TypeError):
            canonical_json(document)
    else:
        assert canonical_json(document) == expected


def test_floats_are_refused() -> None:
    with pytest.raises(ValueError, match="floats"):
        canonical_json({"x": 1.5})
