"""The actualization workflow on SQLite and PostgreSQL: idempotent flags, moves with history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from sanarip_hub.actualization.workflow import move
from sanarip_hub.domain.codes import MismatchStatus, SyncSource
from sanarip_hub.errors import ActualizationError
from sanarip_hub.storage.mismatches import Flagged, MismatchTable, flag
from sanarip_hub.storage.models import Mismatch, MismatchEvent, Person, PersonFieldHistory
from sanarip_hub.synthetic.seed import seed_country
from tests.conftest import HubDb

CIVIL = SyncSource.CIVIL_REGISTRY


@pytest.fixture
def person(hub_db: HubDb) -> tuple[HubDb, int]:
    seed_country(hub_db.engine, 5, 1, 3, workers=1)
    with hub_db.engine.connect() as connection:
        person_id = connection.execute(select(func.min(Person.id))).scalar_one()
    return hub_db, person_id


def flag_birth_date(db: HubDb, person_id: int, registry: str = "1980-05-17") -> Flagged:
    with db.engine.begin() as connection:
        hub = connection.execute(select(Person.birth_date).where(Person.id == person_id)).scalar_one()
        return flag(
            connection,
            person_id=person_id,
            field="birth_date",
            source=CIVIL,
            hub_value=hub.isoformat(),  # what reconciliation records: the hub's value when it compared
            registry_value=registry,
            message_id="m-1",
            run_id=None,
        )


def count(db: HubDb, model: type) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def test_flagging_is_idempotent_per_person_field_and_source(person: tuple[HubDb, int]) -> None:
    db, person_id = person
    assert flag_birth_date(db, person_id) is Flagged.NEW
    assert flag_birth_date(db, person_id) is Flagged.UNCHANGED
    assert flag_birth_date(db, person_id, "1980-05-16") is Flagged.UPDATED
    assert count(db, Mismatch) == 1
    assert count(db, MismatchEvent) == 1


def test_the_database_itself_refuses_a_second_open_flag(person: tuple[HubDb, int]) -> None:
    db, person_id = person
    flag_birth_date(db, person_id)
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(
            insert(Mismatch.__table__).values(  # type: ignore[arg-type]
                person_id=person_id, field="birth_date", source=CIVIL, detected_at=func.now(),
                status=MismatchStatus.IN_REVIEW, status_at=func.now(),
            )
        )  # fmt: skip


def test_actualizing_updates_the_person_and_keeps_the_old_value(person: tuple[HubDb, int]) -> None:
    db, person_id = person
    with db.engine.connect() as connection:
        old = connection.execute(select(Person.birth_date).where(Person.id == person_id)).scalar_one()
    flag_birth_date(db, person_id)
    with db.engine.connect() as connection:
        mismatch_id = connection.execute(select(Mismatch.id)).scalar_one()
    move(MismatchTable(db.engine), mismatch_id, MismatchStatus.IN_REVIEW, "clerk-7")
    resolution = move(
        MismatchTable(db.engine), mismatch_id, MismatchStatus.ACTUALIZED, "clerk-7", "birth act checked"
    )
    assert resolution.changed_field == "birth_date"
    with db.engine.connect() as connection:
        assert connection.execute(
            select(Person.birth_date).where(Person.id == person_id)
        ).scalar_one() == date(1980, 5, 17)
        history = connection.execute(select(PersonFieldHistory)).one()
        events = connection.execute(
            select(MismatchEvent.from_status, MismatchEvent.to_status, MismatchEvent.actor).order_by(
                MismatchEvent.id
            )
        ).all()
    assert (history.old_value, history.new_value, history.actor) == (old.isoformat(), "1980-05-17", "clerk-7")
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "open"), ("open", "in_review"), ("in_review", "actualized")
    ]  # fmt: skip
    # a resolved flag no longer blocks a new one for a later difference
    assert flag_birth_date(db, person_id, "1980-05-19") is Flagged.NEW


def test_rejecting_and_escalating_need_a_reason_and_closed_flags_stay_closed(
    person: tuple[HubDb, int],
) -> None:
    db, person_id = person
    flag_birth_date(db, person_id)
    with db.engine.connect() as connection:
        mismatch_id = connection.execute(select(Mismatch.id)).scalar_one()
    with pytest.raises(ActualizationError, match="needs a reason"):
        move(MismatchTable(db.engine), mismatch_id, MismatchStatus.REJECTED, "clerk-7")
    move(
        MismatchTable(db.engine),
        mismatch_id,
        MismatchStatus.REJECTED,
        "clerk-7",
        "the book entry was checked in person",
    )
    with pytest.raises(ActualizationError, match="is rejected; it cannot become actualized"):
        move(MismatchTable(db.engine), mismatch_id, MismatchStatus.ACTUALIZED, "clerk-7")
    with pytest.raises(ActualizationError, match="no mismatch 999999"):
        move(MismatchTable(db.engine), 999999, MismatchStatus.IN_REVIEW, "clerk-7")
    with db.engine.connect() as connection:
        assert connection.execute(text("select count(*) from person_field_history")).scalar_one() == 0


def test_actualizing_a_heads_death_closes_the_membership_and_asks_for_a_new_head(hub_db: HubDb) -> None:
    """Issue 15 §2: the membership ends at the date of death, and a household whose head died is
    flagged for the clerk to name a new head (nothing chooses one silently)."""
    from sanarip_hub.storage.models import Household, HouseholdMember, LsgBody

    seed_country(hub_db.engine, 5, 1, 3, workers=1)
    with hub_db.engine.connect() as connection:
        account, head_id = connection.execute(
            select(LsgBody.soate_code + "/" + Household.account_no, Household.head_person_id)
            .join(LsgBody, LsgBody.id == Household.lsg_id)
            .where(Household.closed_at.is_(None), Household.head_person_id.is_not(None))
            .order_by(Household.id)
            .limit(1)
        ).one()
    with hub_db.engine.begin() as connection:
        flag(connection, person_id=head_id, field="death_date", source=CIVIL, hub_value=None,
             registry_value="2026-01-10", message_id="m-9", run_id=None)  # fmt: skip
    with hub_db.engine.connect() as connection:
        mismatch_id = connection.execute(select(Mismatch.id)).scalar_one()
    move(MismatchTable(hub_db.engine), mismatch_id, MismatchStatus.ACTUALIZED, "clerk-7", "death act checked")
    with hub_db.engine.connect() as connection:
        ends = connection.execute(
            select(HouseholdMember.member_to).where(HouseholdMember.person_id == head_id)
        ).scalars().all()  # fmt: skip
        assert ends
        assert all(end is not None for end in ends)
        assert date(2026, 1, 10) in ends
        asks = connection.execute(
            select(Mismatch.field, Mismatch.status, Mismatch.hub_value).where(Mismatch.id != mismatch_id)
        ).all()
    assert [(a.field, a.status) for a in asks] == [("household_head", MismatchStatus.OPEN)]
    assert asks[0].hub_value == account  # the household, as the clerk knows it: <LSG СОАТЕ>/<account>


def _state(db: HubDb, person_id: int, mismatch_id: int) -> tuple[object, ...]:
    with db.engine.connect() as connection:
        person = connection.execute(
            select(Person.birth_date, Person.version).where(Person.id == person_id)
        ).one()
        status = connection.execute(select(Mismatch.status).where(Mismatch.id == mismatch_id)).scalar_one()
        history = connection.execute(select(func.count()).select_from(PersonFieldHistory)).scalar_one()
    return (*person, status, history)


def test_a_decision_on_a_value_the_hub_no_longer_holds_is_refused(person: tuple[HubDb, int]) -> None:
    """The mismatch recorded the hub's value when it compared.  If the person's record changed since
    (another flag actualized, an import, a clerk's edit), taking the registry's value would overwrite
    a value nobody compared: refused, nothing written, the flag still open."""
    db, person_id = person
    flag_birth_date(db, person_id)
    with db.engine.begin() as connection:
        mismatch_id = connection.execute(select(Mismatch.id)).scalar_one()
        connection.execute(
            Person.__table__.update()  # type: ignore[attr-defined]
            .where(Person.id == person_id)
            .values(birth_date=date(1979, 1, 2), version=Person.version + 1)
        )
    before = _state(db, person_id, mismatch_id)
    with pytest.raises(
        ActualizationError, match=r"is now 1979-01-02, not .* as when mismatch \d+ was flagged"
    ):
        move(MismatchTable(db.engine), mismatch_id, MismatchStatus.ACTUALIZED, "clerk-7", "act checked")
    assert _state(db, person_id, mismatch_id) == before


def test_a_stale_second_tabs_decision_is_refused(person: tuple[HubDb, int]) -> None:
    """Two tabs (or two clerks) open the same mismatch at version v.  The first decides; the second
    decides on what it saw, and is told the mismatch changed instead of overriding the first."""
    db, person_id = person
    flag_birth_date(db, person_id)
    with db.engine.connect() as connection:
        mismatch_id, seen = connection.execute(select(Mismatch.id, Mismatch.version)).one()
    move(MismatchTable(db.engine), mismatch_id, MismatchStatus.IN_REVIEW, "clerk-7", seen_version=seen)
    before = _state(db, person_id, mismatch_id)
    with pytest.raises(ActualizationError, match=r"mismatch \d+ has changed since it was opened"):
        move(
            MismatchTable(db.engine),
            mismatch_id,
            MismatchStatus.ACTUALIZED,
            "clerk-9",
            "x",
            seen_version=seen,
        )
    assert _state(db, person_id, mismatch_id) == before
    # a re-flag with a new registry value is a change too: a decision on the old value is refused
    with db.engine.connect() as connection:
        seen = connection.execute(select(Mismatch.version)).scalar_one()
    assert flag_birth_date(db, person_id, "1980-05-16") is Flagged.UPDATED
    with pytest.raises(ActualizationError, match="has changed since it was opened"):
        move(MismatchTable(db.engine), mismatch_id, MismatchStatus.ACTUALIZED, "clerk-7", seen_version=seen)
    with db.engine.connect() as connection:
        seen = connection.execute(select(Mismatch.version)).scalar_one()
    move(MismatchTable(db.engine), mismatch_id, MismatchStatus.ACTUALIZED, "clerk-7", seen_version=seen)
    with db.engine.connect() as connection:
        birth, version = connection.execute(
            select(Person.birth_date, Person.version).where(Person.id == person_id)
        ).one()
    assert birth == date(1980, 5, 16)
    assert version == before[1] + 1  # the person's optimistic-lock version moved with the write


def test_a_latin_spelling_is_never_written_over_a_cyrillic_name(person: tuple[HubDb, int]) -> None:
    """The civil registry may answer in a passport's Latin (``Osmonova``) where the household book
    writes Cyrillic (``Замир кызы``).  Actualizing takes the registry's *name*, written in the
    register's script: the clerk gives that spelling, and it must be the registry's name."""
    db, person_id = person
    with db.engine.begin() as connection:
        connection.execute(
            Person.__table__.update()  # type: ignore[attr-defined]
            .where(Person.id == person_id)
            .values(surname="Замир кызы", version=Person.version + 1)
        )
        flag(connection, person_id=person_id, field="surname", source=CIVIL, hub_value="Замир кызы",
             registry_value="Osmonova", message_id="m-2", run_id=None)  # fmt: skip
        mismatch_id = connection.execute(select(Mismatch.id)).scalar_one()
    table = MismatchTable(db.engine)

    def surname() -> str:
        with db.engine.connect() as connection:
            return str(connection.execute(select(Person.surname).where(Person.id == person_id)).scalar_one())

    actualize = MismatchStatus.ACTUALIZED
    with pytest.raises(ActualizationError, match=r"in Latin script.*register writes it in Cyrillic"):
        move(table, mismatch_id, actualize, "clerk-7")
    with pytest.raises(ActualizationError, match="'Osmonova' is not in Cyrillic script"):
        move(table, mismatch_id, actualize, "clerk-7", value="Osmonova")
    with pytest.raises(ActualizationError, match="'Токтогулова' is not the registry's 'Osmonova'"):
        move(table, mismatch_id, actualize, "clerk-7", value="Токтогулова")
    assert surname() == "Замир кызы"
    assert count(db, PersonFieldHistory) == 0
    resolution = move(table, mismatch_id, actualize, "clerk-7", value="Осмонова")
    assert resolution.changed_field == "surname"
    assert surname() == "Осмонова"
    with db.engine.connect() as connection:
        history = connection.execute(select(PersonFieldHistory)).one()
    assert (history.old_value, history.new_value) == ("Замир кызы", "Осмонова")


def test_actualizing_a_new_registration_leaves_no_stale_address_text(person: tuple[HubDb, int]) -> None:
    """The bureau's new registration (a СОАТЕ code) replaces the old one; the old registration's
    free-text address no longer describes it, so it goes too — kept in the history, never lost."""
    from sanarip_hub.storage.models import AteUnit

    db, person_id = person
    with db.engine.begin() as connection:
        old, new = connection.execute(
            select(AteUnit.soate_code).order_by(AteUnit.soate_code).limit(2)
        ).scalars()
        connection.execute(
            Person.__table__.update()
            .where(Person.__table__.c.id == person_id)
            .values(registered_soate=old, registered_address="Нарын ш., Ленин көч., 5")
        )
        flag(
            connection, person_id=person_id, field="registered_soate", source=CIVIL, hub_value=old,
            registry_value=new, message_id="m-2", run_id=None,
        )  # fmt: skip
        mismatch_id = connection.execute(select(Mismatch.id)).scalar_one()
    move(MismatchTable(db.engine), mismatch_id, MismatchStatus.IN_REVIEW, "clerk-7")
    move(MismatchTable(db.engine), mismatch_id, MismatchStatus.ACTUALIZED, "clerk-7", "bureau's record")
    with db.engine.connect() as connection:
        stored = connection.execute(
            select(Person.registered_soate, Person.registered_address).where(Person.id == person_id)
        ).one()
        history = connection.execute(
            select(PersonFieldHistory.field, PersonFieldHistory.old_value, PersonFieldHistory.new_value)
            .order_by(PersonFieldHistory.id)
        ).all()  # fmt: skip
    assert tuple(stored) == (new, None)
    assert [tuple(h) for h in history] == [
        ("registered_soate", old, new),
        ("registered_address", "Нарын ш., Ленин көч., 5", None),
    ]


def test_the_clerk_names_the_new_head_among_the_living_members(hub_db: HubDb) -> None:
    """Issue 15 §2: the ``household_head`` flag is answered by naming a living current member (by
    PIN); anyone else, or no one, is refused with the members who may be named, and nothing is
    written.  The named person heads the household and their membership says ``head``."""
    from sanarip_hub.storage.mismatches import household_head_candidates
    from sanarip_hub.storage.models import Household, HouseholdMember

    seed_country(hub_db.engine, 30, 1, 3, workers=1)
    with hub_db.engine.connect() as connection:  # a household of three or more with PINs
        household_id, head_id = connection.execute(
            select(Household.id, Household.head_person_id)
            .join(HouseholdMember, HouseholdMember.household_id == Household.id)
            .where(Household.closed_at.is_(None), Household.head_person_id.is_not(None),
                   HouseholdMember.member_to.is_(None))
            .group_by(Household.id, Household.head_person_id)
            .having(func.count() >= 3)
            .order_by(Household.id)
            .limit(1)
        ).one()  # fmt: skip
        dead_pin = connection.execute(select(Person.pin).where(Person.id == head_id)).scalar_one()
    with hub_db.engine.begin() as connection:
        flag(connection, person_id=head_id, field="death_date", source=CIVIL, hub_value=None,
             registry_value="2026-01-10", message_id="m-9", run_id=None)  # fmt: skip
    table = MismatchTable(hub_db.engine)
    with hub_db.engine.connect() as connection:
        death = connection.execute(select(Mismatch.id)).scalar_one()
    move(table, death, MismatchStatus.ACTUALIZED, "clerk-7", "death act checked")
    with hub_db.engine.connect() as connection:
        ask, household = connection.execute(
            select(Mismatch.id, Mismatch.hub_value).where(Mismatch.field == "household_head")
        ).one()
    candidates = household_head_candidates(hub_db.engine, household)
    assert len(candidates) >= 2
    assert head_id not in {c.person_id for c in candidates}  # the deceased is no candidate
    with pytest.raises(ActualizationError, match="name the new head"):
        move(table, ask, MismatchStatus.ACTUALIZED, "clerk-7")
    with pytest.raises(ActualizationError, match=rf"'{dead_pin}' is not a living current member"):
        move(table, ask, MismatchStatus.ACTUALIZED, "clerk-7", value=dead_pin)
    with pytest.raises(ActualizationError, match=f"may be named: {candidates[0].pin}"):
        move(table, ask, MismatchStatus.ACTUALIZED, "clerk-7", value="22222222222222")
    with hub_db.engine.connect() as connection:
        assert connection.execute(
            select(Household.head_person_id).where(Household.id == household_id)
        ).scalar_one() == head_id  # fmt: skip
    chosen = candidates[-1]  # the youngest: any living member may be named, not only the eldest
    done = move(table, ask, MismatchStatus.ACTUALIZED, "clerk-7", value=chosen.pin)
    assert done.changed_field == "household_head"
    with hub_db.engine.connect() as connection:
        assert connection.execute(
            select(Household.head_person_id).where(Household.id == household_id)
        ).scalar_one() == chosen.person_id  # fmt: skip
        relation = connection.execute(
            select(HouseholdMember.relation_to_head).where(
                HouseholdMember.household_id == household_id,
                HouseholdMember.person_id == chosen.person_id,
                HouseholdMember.member_to.is_(None),
            )
        ).scalar_one()
        status = connection.execute(select(Mismatch.status).where(Mismatch.id == ask)).scalar_one()
    assert relation == "head"
    assert status == MismatchStatus.ACTUALIZED
