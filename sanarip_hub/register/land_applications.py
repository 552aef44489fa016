"""Land-queue applications in the exchange format (``land_applications.jsonl``).

An application is keyed by its registration number within the LSG body (numbers run across the
body's queues, so the key does not include the queue); its place in the queue is its registration
time.  The record names its queue by purpose (the queue is created with the name and opening date
given when the body has none yet), its applicant by PIN or, without one, by name and birth date
among the members of the household it names, and lists its status events, which are history: an
event the file leaves out is kept.  An application missing from a full export of its LSG body is
listed, and with ``--close-missing`` removed from the queue (status ``removed``, with its event),
never deleted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sanarip_hub.domain.codes import ApplicationStatus
from sanarip_hub.domain.identifiers import parse_pin
from sanarip_hub.errors import InvalidPin
from sanarip_hub.register.modules import (
    ProblemAt,
    Record,
    RecordCounts,
    Writing,
    columns_from,
    missing,
    moment,
    not_in_future,
    upsert,
)
from sanarip_hub.register.records import exchange_value as _out
from sanarip_hub.register.references import Identity, identity
from sanarip_hub.register.schema import LAND_APPLICATION
from sanarip_hub.storage.register_books import RegisterBooks
from sanarip_hub.storage.register_entities import (
    APPLICANT_FIELDS,
    APPLICATION_FIELDS,
    LAND_APPLICATIONS,
    QUEUE_FIELDS,
    EntityWriting,
    StoredEntity,
    entity_writing,
    read_register,
)

_PROPERTIES = LAND_APPLICATION["properties"]
_EVENT = _PROPERTIES["events"]["items"]["properties"]
EVENTS = LAND_APPLICATIONS.children[0]
_OWN = tuple(name for name in APPLICATION_FIELDS if name not in ("reg_number", "reg_datetime"))


def record_of(stored: StoredEntity, lsg: str) -> Record:
    values = stored.values
    return {
        "lsg": lsg,
        "reg_number": values["reg_number"],
        "queue": {name: _out(values[f"queue_{name}"]) for name in QUEUE_FIELDS},
        "reg_datetime": _out(values["reg_datetime"]),
        "applicant": {name: _out(values[f"applicant_{name}"]) for name in APPLICANT_FIELDS},
        "account_no": values["account_no"],
        **{name: _out(values[name]) for name in _OWN},
        "events": [{name: _out(row[name]) for name in EVENTS.fields} for _, row in stored.children["events"]],
    }


class LandApplications:
    record_type = "land_application"
    key = "reg_number"
    unique: tuple[str, ...] = ()

    def rules(self, record: Record, today: date, problem: ProblemAt) -> None:
        not_in_future(record, ("reg_datetime", "residence_since", "decision_date"), today, problem)
        not_in_future(record["queue"], ("opened_at",), today, problem, "queue.")
        pin = record["applicant"].get("pin")
        if pin is not None:
            try:
                parse_pin(pin)
            except InvalidPin as exc:
                problem("applicant.pin", str(exc))
        elif record.get("account_no") is None:
            problem(
                "applicant",
                "an applicant without a PIN is found by name among a household's members: give account_no",
            )
        registered = moment(record["reg_datetime"])
        previous = None
        for index, event in enumerate(record["events"]):
            at = moment(event["at"])
            not_in_future(event, ("at",), today, problem, f"events[{index}].")
            if at is not None and registered is not None and at < registered:
                problem(f"events[{index}].at", f"{event['at']} is before the registration")
            if at is not None and previous is not None and at < previous:
                problem(f"events[{index}].at", "events are listed in the order they happened")
            previous = at or previous
        if record["events"] and record["events"][-1]["to_status"] != record["status"]:
            problem(
                "status",
                f"the last event leads to {record['events'][-1]['to_status']}, not {record['status']}",
            )

    def persons(self, record: Record) -> tuple[str | None, list[tuple[str, Identity]]]:
        return record.get("account_no"), [("applicant", identity(record["applicant"]))]

    def export(self, books: RegisterBooks, lsg_id: int, lsg: str) -> list[Record]:
        return [record_of(stored, lsg) for stored in read_register(books.engine, LAND_APPLICATIONS, lsg_id)]

    def apply(self, writing: Writing, records: list[Record], counts: RecordCounts) -> None:
        with entity_writing(writing.books.engine, LAND_APPLICATIONS, writing.lsg_id, writing.commit) as rows:
            stored = {s.values["reg_number"]: s for s in rows.stored([r["reg_number"] for r in records])}
            queues = rows.queues()
            pins = rows.persons_by_pin(
                sorted({r["applicant"]["pin"] for r in records if r["applicant"].get("pin")})
            )
            accounts = sorted({r["account_no"] for r in records if r.get("account_no")})
            household_ids, people = rows.households(accounts)
            for record in records:
                found = stored.get(record["reg_number"])
                queue = record["queue"]
                purpose = queue["purpose"]
                wanted_queue = columns_from(_PROPERTIES["queue"]["properties"], queue, QUEUE_FIELDS)
                if purpose not in queues:
                    queues[purpose] = (rows.add_queue(wanted_queue), wanted_queue)
                elif any(_out(queues[purpose][1][n]) != _out(v) for n, v in wanted_queue.items()):
                    rows.change_queue(queues[purpose][0], wanted_queue)
                    queues[purpose] = (queues[purpose][0], wanted_queue)
                applicant = record["applicant"]
                account = record.get("account_no")
                if applicant.get("pin"):
                    applicant_id = pins.get(applicant["pin"])
                else:
                    named = {
                        identity(person): person_id for person_id, person in people.get(account or "", [])
                    }
                    applicant_id = named.get(identity(applicant))
                household_id = household_ids.get(account) if account else None
                if applicant_id is None or (account and household_id is None):
                    # a dry run: the person or household is one the household pass would have created
                    counts.created += found is None
                    counts.updated += found is not None
                    continue
                events = [columns_from(_EVENT, event, EVENTS.fields) for event in record["events"]]
                upsert(
                    rows,
                    found,
                    columns_from(_PROPERTIES, record, APPLICATION_FIELDS),
                    {"events": events},
                    counts,
                    links={
                        "queue_id": queues[purpose][0],
                        "applicant_person_id": applicant_id,
                        "household_id": household_id,
                    },
                    extras={
                        "queue_purpose": purpose,
                        **{f"applicant_{n}": applicant.get(n) for n in APPLICANT_FIELDS},
                        "account_no": account,
                    },
                )
            now = datetime.now(UTC)
            for row_id in missing(rows.keys(), writing, counts):
                if writing.close_missing and self._remove(rows, row_id, now, writing.source):
                    counts.closed += 1

    @staticmethod
    def _remove(rows: EntityWriting, row_id: int, now: datetime, source: str) -> bool:
        """Take an application out of the queue (status ``removed``), the change as its event."""
        status = rows.value(row_id, "status")
        if status is ApplicationStatus.REMOVED:
            return False
        rows.change(
            row_id, {"status": ApplicationStatus.REMOVED, "status_reason": f"missing from {source}"[:300]}
        )
        event = {"at": now, "from_status": status, "to_status": ApplicationStatus.REMOVED, "actor": "import",
                 "reason": f"missing from {source}"[:300]}  # fmt: skip
        rows.add_children(EVENTS, row_id, [event])
        return True


LAND_APPLICATION_MODULE = LandApplications()
