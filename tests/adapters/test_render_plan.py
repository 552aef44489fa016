"""The producer's XML writer renders from a plan cached per contract, grant and prefix: the same
text, field for field, as rendering each field afresh, and never a plan of another grant."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.xroad.producer.render import record_text, xml_text
from adapters.xroad.xml_text import scalar_text, text
from sanarip_hub.domain.contract import Field
from sanarip_hub.domain.hub_contract import BY_CODE
from sanarip_hub.producer.field_grants import FieldTree, granted, tree_of


def reference(
    prefix: str, fields: tuple[Field, ...], values: Mapping[str, Any], tree: FieldTree | None
) -> str:
    """The writer as it was before plans: every field looked up and written afresh."""
    parts: list[str] = []

    def one(spec: Field, value: Any, subtree: FieldTree | None) -> None:
        tag = f"{prefix}{spec.name}"
        if spec.type == "any":
            parts.append(f"<{tag}>{etree.tostring(value, encoding='unicode')}</{tag}>")
        elif spec.item is not None:
            parts.append(f"<{tag}>")
            for entry in value:
                if spec.children:
                    parts.append(f"<{prefix}{spec.item}>")
                    record(spec.children, entry, subtree)
                    parts.append(f"</{prefix}{spec.item}>")
                else:
                    parts.append(f"<{prefix}{spec.item}>{text(scalar_text(entry))}</{prefix}{spec.item}>")
            parts.append(f"</{tag}>")
        elif spec.children:
            parts.append(f"<{tag}>")
            record(spec.children, value, subtree)
            parts.append(f"</{tag}>")
        else:
            parts.append(f"<{tag}>{text(scalar_text(value))}</{tag}>")

    def record(
        children: tuple[Field, ...], record_values: Mapping[str, Any], subtree: FieldTree | None
    ) -> None:
        for child, child_tree in granted(children, subtree):
            value = record_values.get(child.name)
            if value is not None:
                one(child, value, child_tree)

    record(fields, values, tree)
    return "".join(parts)


NAMES = st.sampled_from(["pin", "surname", "members", "member", "lsgName", "a", "b", "c", "d"])
SCALARS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["<&>", "Өмүр", "\x00\x01ok", "\ud800", "]]>"]),
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
)


@st.composite
def contracts(draw: st.DrawFn, depth: int = 0) -> tuple[Field, ...]:
    """Fields of every shape: scalars, lists of scalars, records and lists of records."""
    fields = []
    for name in draw(st.lists(NAMES, min_size=1, max_size=5, unique=True)):
        shape = draw(st.sampled_from(["scalar", "list"] + (["record", "records"] if depth < 2 else [])))
        if shape == "scalar":
            fields.append(Field(name))
        elif shape == "list":
            fields.append(Field(name, item="item"))
        else:
            children = draw(contracts(depth + 1))
            fields.append(Field(name, children=children, item="entry" if shape == "records" else None))
    return tuple(fields)


@st.composite
def values_of(draw: st.DrawFn, fields: tuple[Field, ...]) -> dict[str, Any]:
    """A record of ``fields``, some missing, some None."""
    values: dict[str, Any] = {}
    for field in fields:
        if not draw(st.booleans()):
            continue
        if field.children and field.item:
            values[field.name] = draw(st.lists(values_of(field.children), max_size=2))
        elif field.children:
            values[field.name] = draw(values_of(field.children))
        elif field.item:
            values[field.name] = draw(st.lists(SCALARS.filter(lambda v: v is not None), max_size=3))
        else:
            values[field.name] = draw(SCALARS)
    return values


@st.composite
def grants(draw: st.DrawFn, fields: tuple[Field, ...]) -> dict[str, Any]:
    """A grant tree over ``fields``: some whole, some only some of a record's fields."""
    tree: dict[str, Any] = {}
    for field in fields:
        if draw(st.integers(0, 3)):
            tree[field.name] = (
                draw(grants(field.children)) if field.children and draw(st.booleans()) else None
            )
    return tree


@st.composite
def contract_and_values(draw: st.DrawFn) -> tuple[tuple[Field, ...], dict[str, Any], Any]:
    fields = draw(contracts())
    return fields, draw(values_of(fields)), None if draw(st.booleans()) else draw(grants(fields))


@settings(max_examples=300, deadline=None)
@given(case=contract_and_values(), prefix=st.sampled_from(["", "ns:", "c:"]))
def test_a_plan_writes_what_field_by_field_writing_wrote(
    case: tuple[tuple[Field, ...], dict[str, Any], Any], prefix: str
) -> None:
    fields, values, grant = case
    assert record_text(fields, values, grant, prefix) == reference(prefix, fields, values, grant)


def test_a_household_card_under_each_grant_is_written_as_before() -> None:
    service = BY_CODE["householdByPin"]
    values = {
        "lsgName": "Ала-Бука <айыл> & Co",
        "updatedAt": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "landHa": 1.25,
        "members": [
            {
                "pin": "21505199000011",
                "surname": "Асанов",
                "birthDate": date(1990, 5, 15),
                "temporarilyAbsent": False,
            },
            {"pin": "11505199000012", "surname": "Асанова", "givenName": None},
        ],
        "areaTotalM2": Decimal("42.50"),
    }
    for paths in (["*"], ["lsgName"], ["members.pin"], ["members.surname", "landHa"], ["members"]):
        tree = tree_of(service, paths)
        mine = xml_text(service, "OK", values, tree, "ns")
        assert mine == "<ns:resultCode>OK</ns:resultCode>" + reference("ns:", service.fields, values, tree)


def test_a_narrowed_grant_is_written_by_its_own_plan_even_where_the_old_tree_is_gone() -> None:
    """Agreements are reloaded every few seconds and each reload builds new trees: a grant narrowed
    to the PIN of each member must never be written with the plan of the whole card, even when
    the old tree has been freed and the new one could take its address."""
    service = BY_CODE["householdByPin"]
    values = {"lsgName": "Ала-Бука", "members": [{"pin": "21505199000011", "surname": "Асанов"}]}
    for _ in range(50):
        wide = tree_of(service, ["lsgName", "members"])
        assert "Асанов" in xml_text(service, "OK", values, wide, None)
        del wide
        gc.collect()
        narrow = tree_of(service, ["members.pin"])
        written = xml_text(service, "OK", values, narrow, None)
        assert "Асанов" not in written
        assert "Ала-Бука" not in written
        assert "21505199000011" in written
