"""The ledger append's arrays, written in PostgreSQL's binary format, read back as sent."""

from __future__ import annotations

import pytest

from sanarip_hub.storage.binary_arrays import ByteaArray, Int4Array, Int8Array, TextArray
from tests.conftest import HubDb

CASES = [
    ("bigint[]", Int8Array, [0, -1, 2**63 - 1, -(2**63), None]),
    ("integer[]", Int4Array, [7, None, -(2**31)]),
    ("text[]", TextArray, ["Асанов Өмүр", "", "quote ' \" \\ {a,b}", None, "NULL"]),
    ("bytea[]", ByteaArray, [b"\x00\xff", b"", None]),
    ("text[]", TextArray, []),
]


@pytest.mark.parametrize(("sql_type", "array", "values"), CASES)
def test_an_array_reads_back_as_its_values(
    hub_db: HubDb, sql_type: str, array: type, values: list[object]
) -> None:
    if hub_db.backend != "postgresql":
        pytest.skip("PostgreSQL's binary format")
    with hub_db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        back = raw.execute(f"SELECT %b::{sql_type}", (array.of(values),)).fetchone()[0]  # type: ignore[union-attr]
    assert [bytes(v) if isinstance(v, memoryview) else v for v in back] == values


@pytest.mark.parametrize(("array", "value"), [(Int8Array, 2**63), (Int4Array, 2**31), (Int8Array, "1")])
def test_a_value_that_does_not_fit_is_refused_for_its_content(array: type, value: object) -> None:
    with pytest.raises((OverflowError, TypeError)):
        array.of([1, value])


def test_bytea_refuses_a_number_rather_than_writing_zeros() -> None:
    with pytest.raises(TypeError):
        ByteaArray.of([5])
