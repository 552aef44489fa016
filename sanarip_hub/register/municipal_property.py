"""Municipal property in the exchange format (``municipal_property.jsonl``).

An object is keyed by its inventory number within the LSG body; when the file's inventory number is
new but its ЕНИ is that of a stored object of the same body, the object was renumbered and is
updated, not added twice.  Leases are keyed by contract number and events by time and kind; those
the file leaves out are kept.  An object missing from a full export of its LSG body is listed, and
with ``--close-missing`` written off (use status ``written_off``, with its event), never deleted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sanarip_hub.domain.codes import PropertyEventKind, UseStatus
from sanarip_hub.register.modules import (
    ProblemAt,
    Record,
    RecordCounts,
    Writing,
    columns_from,
    missing,
    not_in_future,
    upsert,
)
from sanarip_hub.register.records import exchange_value as _out
from sanarip_hub.register.references import Identity
from sanarip_hub.register.schema import MUNICIPAL_PROPERTY
from sanarip_hub.storage.register_books import RegisterBooks
from sanarip_hub.storage.register_entities import (
    MUNICIPAL_PROPERTY as PROPERTY_REGISTER,
)
from sanarip_hub.storage.register_entities import (
    PROPERTY_FIELDS,
    StoredEntity,
    entity_writing,
    read_register,
)

_PROPERTIES = MUNICIPAL_PROPERTY["properties"]
LEASES, EVENTS = PROPERTY_REGISTER.children
_ITEMS = {kind.name: _PROPERTIES[kind.name]["items"]["properties"] for kind in PROPERTY_REGISTER.children}


def record_of(stored: StoredEntity, lsg: str) -> Record:
    return {
        "lsg": lsg,
        **{name: _out(stored.values[name]) for name in PROPERTY_FIELDS},
        **{
            kind.name: [
                {name: _out(row[name]) for name in kind.fields} for _, row in stored.children[kind.name]
            ]
            for kind in PROPERTY_REGISTER.children
        },
    }


class MunicipalProperty:
    record_type = "municipal_property"
    key = "inventory_no"
    unique: tuple[str, ...] = ("eni_code",)

    def rules(self, record: Record, today: date, problem: ProblemAt) -> None:
        not_in_future(record, ("valuation_date", "acquisition_doc_date"), today, problem)
        if record["residual_value_som"] > record["book_value_som"]:
            problem("residual_value_som", "the residual value is more than the book value")
        contracts: set[str] = set()
        for index, lease in enumerate(record["leases"]):
            if lease["valid_to"] < lease["valid_from"]:
                problem(f"leases[{index}].valid_to", f"{lease['valid_to']} is before {lease['valid_from']}")
            if lease["contract_no"] in contracts:
                problem(f"leases[{index}].contract_no", f"contract {lease['contract_no']} is listed twice")
            contracts.add(lease["contract_no"])
        for index, event in enumerate(record["events"]):
            not_in_future(event, ("at", "doc_date"), today, problem, f"events[{index}].")

    def persons(self, record: Record) -> tuple[str | None, list[tuple[str, Identity]]]:
        return None, []  # a lessee is named by INN, not as a person of the register

    def export(self, books: RegisterBooks, lsg_id: int, lsg: str) -> list[Record]:
        return [record_of(stored, lsg) for stored in read_register(books.engine, PROPERTY_REGISTER, lsg_id)]

    def apply(self, writing: Writing, records: list[Record], counts: RecordCounts) -> None:
        with entity_writing(writing.books.engine, PROPERTY_REGISTER, writing.lsg_id, writing.commit) as rows:
            stored = {s.values["inventory_no"]: s for s in rows.stored([r["inventory_no"] for r in records])}
            renumbered = [r["eni_code"] for r in records if r["inventory_no"] not in stored and r["eni_code"]]
            by_eni = {s.values["eni_code"]: s for s in rows.stored(renumbered, "eni_code")}
            for record in records:
                found = stored.get(record["inventory_no"]) or by_eni.get(record["eni_code"])
                children = {
                    kind.name: [
                        columns_from(_ITEMS[kind.name], row, kind.fields) for row in record[kind.name]
                    ]
                    for kind in PROPERTY_REGISTER.children
                }
                upsert(rows, found, columns_from(_PROPERTIES, record, PROPERTY_FIELDS), children, counts)
            now = datetime.now(UTC)
            for row_id in missing(rows.keys(), writing, counts):
                if writing.close_missing and rows.value(row_id, "use_status") is not UseStatus.WRITTEN_OFF:
                    rows.change(row_id, {"use_status": UseStatus.WRITTEN_OFF})
                    event = {"at": now, "kind": PropertyEventKind.WRITTEN_OFF, "doc_no": None,
                             "doc_date": None, "amount_som": None}  # fmt: skip
                    rows.add_children(EVENTS, row_id, [event])
                    counts.closed += 1


MUNICIPAL_PROPERTY_MODULE = MunicipalProperty()
