"""PostgreSQL's binary array format, written directly for the ledger's one-statement append.

The append sends each column of a batch as one array parameter (``unnest`` on the server).  psycopg
finds a dumper for a list by scanning its elements, then dumps element by element in Python: for a
one-entry batch its parameters took ~200 µs to prepare, half of the append statement's time and
most of the time a writer held the host's turn (``bench/ledger.py``, two writers, batches of one).
Here an array is a header and length-prefixed elements built with :mod:`struct` (the layout of
``array_recv``: dimensions, null flag, element type, then size and lower bound per dimension), and
handed to psycopg as bytes that its dumper passes through with the array's type.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any

from psycopg import adapters, pq
from psycopg.adapt import Dumper

_HEADER = struct.Struct("!iiiii")  # one dimension: ndim, has nulls, element oid, size, lower bound
_EMPTY = struct.Struct("!iii")  # no dimension: ndim 0, no nulls, element oid
_LENGTH = struct.Struct("!i")
_NULL = _LENGTH.pack(-1)
_INT8 = struct.Struct("!q")
_INT4 = struct.Struct("!i")


class BinaryArray(bytes):
    """An array already in PostgreSQL's binary format; each subclass is one array type."""

    element_oid = 0
    array_oid = 0
    encode: Callable[[Any], bytes]

    @classmethod
    def of(cls, values: Sequence[Any]) -> BinaryArray:
        """``values`` (None for NULL) as this array type."""
        if not values:
            return cls(_EMPTY.pack(0, 0, cls.element_oid))
        encode, length, parts = cls.encode, _LENGTH.pack, []
        nulls = 0
        for value in values:
            if value is None:
                nulls = 1
                parts.append(_NULL)
                continue
            try:
                data = encode(value)
            except struct.error:  # refused for its content, as the server refuses an out-of-range value
                raise OverflowError(f"{value!r} is out of range for {cls.__name__}") from None
            parts.append(length(len(data)))
            parts.append(data)
        return cls(_HEADER.pack(1, nulls, cls.element_oid, len(values), 1) + b"".join(parts))


class Int8Array(BinaryArray):
    element_oid, array_oid = 20, 1016
    encode = staticmethod(_INT8.pack)


class Int4Array(BinaryArray):
    element_oid, array_oid = 23, 1007
    encode = staticmethod(_INT4.pack)


class TextArray(BinaryArray):
    """UTF-8 (the engine's connections set ``client_encoding`` to it)."""

    element_oid, array_oid = 25, 1009
    encode = staticmethod(str.encode)


class ByteaArray(BinaryArray):
    element_oid, array_oid = 17, 1001
    encode = staticmethod(lambda value: bytes(memoryview(value)))  # bytes(5) would be five zeros


def array_for(sql_type: str) -> type[BinaryArray]:
    """The array type for a column of ``sql_type`` (as the PostgreSQL dialect compiles it)."""
    name = sql_type.split("(", maxsplit=1)[0].upper()
    if name == "BIGINT":
        return Int8Array
    if name == "INTEGER":
        return Int4Array
    if name in ("VARCHAR", "TEXT"):
        return TextArray
    if name == "BYTEA":
        return ByteaArray
    raise ValueError(f"no binary array for {sql_type}")


def _passed_through(array_type: type[BinaryArray]) -> type[Dumper]:
    class PassedThrough(Dumper):
        format = pq.Format.BINARY
        oid = array_type.array_oid

        def dump(self, obj: Any) -> bytes:
            return obj  # type: ignore[no-any-return]

    return PassedThrough


for _array_type in (Int8Array, Int4Array, TextArray, ByteaArray):
    adapters.register_dumper(_array_type, _passed_through(_array_type))
