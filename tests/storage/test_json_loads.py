"""JSON read from PostgreSQL (the household card's member and livestock lists) decodes exactly as
the standard library decodes it, through the faster decoder the engine installs."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanarip_hub.storage.engine import json_loads
from tests.conftest import HubDb

EDGES = [
    '{"pin": "21505199000011", "surname": "Асанов", "n": 3, "area": 0.25, "ok": true, "x": null}',
    "[1, -0, 1.0, 1e-7, 12345678901234567890123456789]",  # an integer beyond 64 bits
    '"\\ud800 lone surrogate"',
    '{"a": 1, "a": 2}',  # a duplicate key: the last one wins, as in json
    "1e400",
    '"\\u0000\\u007f\\u2028"',
]


@pytest.mark.parametrize("document", EDGES)
def test_edge_documents_decode_as_the_standard_library_decodes_them(document: str) -> None:
    mine, reference = json_loads(document.encode()), json.loads(document)
    assert repr(mine) == repr(reference)
    assert type(mine) is type(reference)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(value=JSON_VALUES, ascii_only=st.booleans())
def test_any_document_decodes_as_the_standard_library_decodes_it(value: object, ascii_only: bool) -> None:
    document = json.dumps(value, ensure_ascii=ascii_only)
    assert repr(json_loads(document.encode())) == repr(json.loads(document))


def test_postgresql_connections_decode_json_with_it(hub_db: HubDb) -> None:
    """The card's JSON columns, read through SQLAlchemy and on the driver connection, come back as
    json decodes them, and through :func:`json_loads` (the connection's JSON loader)."""
    if hub_db.backend != "postgresql":
        pytest.skip("psycopg's JSON loader")
    text_value = (
        '{"s": "'
        + string.punctuation.replace('"', "").replace("\\", "")
        + ' Өмүр", "big": 1'
        + "0" * 25
        + "}"
    )
    with hub_db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        loader = raw.adapters.get_loader(raw.adapters.types["json"].oid, 0)  # type: ignore[union-attr]
        assert loader._loads is json_loads
        read = raw.execute("SELECT %s::json, %s::jsonb", (text_value, text_value)).fetchone()  # type: ignore[union-attr]
    assert read is not None
    assert read[0] == json.loads(text_value)
    assert read[1] == json.loads(text_value)
