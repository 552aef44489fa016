"""How much data a database holds, without assuming it has the hub schema yet."""

from __future__ import annotations

from sqlalchemy import Engine, func, inspect, select

from sanarip_hub.storage.models import Household


def household_count(engine: Engine) -> int:
    """Households in the book, or 0 when the schema does not exist yet."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(Household.__tablename__):
            return 0
        return int(connection.execute(select(func.count()).select_from(Household)).scalar_one())


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per hub table (for the demo summary and the backup drill)."""
    from sanarip_hub.storage.models import Base

    counts: dict[str, int] = {}
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        for name, table in Base.metadata.tables.items():
            if name in present:
                counts[name] = int(connection.execute(select(func.count()).select_from(table)).scalar_one())
    return counts


def ledger_size(engine: Engine) -> int:
    """Entries the ledger holds (0 when the database is not set up yet)."""
    from sqlalchemy.exc import SQLAlchemyError

    from sanarip_hub.storage.models import LedgerHead

    try:
        with engine.connect() as connection:
            return int(connection.execute(select(LedgerHead.size)).scalar() or 0)
    except SQLAlchemyError:
        return 0
