"""The household card's JSON, decoded by orjson (``PlainJsonLoader``), is the value json decodes."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanarip_hub.storage.driver_select import JSON_OID, PlainJsonLoader
from tests.conftest import HubDb

# what the card's json_build_object columns hold: text (PostgreSQL's: no NUL, no lone surrogate),
# dates, booleans, NULLs and 32-bit integers
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20)
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-(2**31), 2**31 - 1), TEXT, st.dates())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(st.dictionaries(st.sampled_from("abcdefgh"), VALUES, max_size=6), max_size=5))
def test_postgresql_json_of_card_columns_decodes_as_json_decodes_it(
    hub_db: HubDb, records: list[dict[str, object]]
) -> None:
    if hub_db.backend != "postgresql":
        pytest.skip("PostgreSQL's json")
    casts = {str: "text", int: "int4", bool: "boolean", date: "date"}
    objects, flat = [], []
    for record in records:
        parts = []
        for key, value in record.items():
            parts.append(f"%s::text, {'NULL::text' if value is None else '%s::' + casts[type(value)]}")
            flat += [key] if value is None else [key, value]
        objects.append(f"json_build_object({', '.join(parts)})")
    sql = f"SELECT json_build_array({', '.join(objects)})"
    with hub_db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:  # type: ignore[union-attr]
            (text_form,) = cursor.execute(f"SELECT ({sql})::text", flat).fetchone()
            cursor.adapters.register_loader(JSON_OID, PlainJsonLoader)
            (decoded,) = cursor.execute(sql, flat).fetchone()
    reference = json.loads(text_form)
    assert repr(decoded) == repr(reference)
