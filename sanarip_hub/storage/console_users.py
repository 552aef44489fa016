"""Console accounts as stored: the rows behind :mod:`sanarip_hub.console.accounts`.

The console keeps the rules (who may be bound to an LSG body, password length, hashing, when a
run of failures locks an account); this repository keeps the SQL.  A failed sign-in is counted
by one ``UPDATE … SET failed_logins = failed_logins + 1`` so that concurrent guesses cannot
overwrite each other's count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, Table, case, delete, insert, select, update
from sqlalchemy.sql import ColumnElement

from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.storage.models import LsgBody
from sanarip_hub.storage.models.console import ConsoleSession, ConsoleUser

USERS: Table = ConsoleUser.__table__  # type: ignore[assignment]
SESSIONS: Table = ConsoleSession.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class StoredUser:
    """An account's row with its LSG body's code and name."""

    id: int
    username: str
    role: ConsoleRole
    password_hash: str
    disabled: bool
    failed_logins: int
    locked_until: datetime | None
    lsg_id: int | None
    lsg_soate: str | None
    lsg_name: str | None


@dataclass(frozen=True)
class UserListing:
    username: str
    role: str
    disabled: bool
    locked_until: datetime | None
    lsg: str | None


_USER = select(USERS, LsgBody.soate_code, LsgBody.name_ky).outerjoin(LsgBody, LsgBody.id == USERS.c.lsg_id)


class ConsoleUserTable:
    """The ``console_user`` table (and the sessions an account change ends)."""

    def __init__(self, engine: Engine, clock: Clock = SYSTEM_CLOCK) -> None:
        self.engine = engine
        self.clock = clock

    def lsg_id(self, soate: str) -> int | None:
        with self.engine.connect() as connection:
            found = connection.execute(select(LsgBody.id).where(LsgBody.soate_code == soate)).scalar()
        return None if found is None else int(found)

    def add(self, username: str, password_hash: str, role: ConsoleRole, lsg_id: int | None) -> bool:
        """Insert the account; False if the name is taken."""
        with self.engine.begin() as connection:
            if connection.execute(select(USERS.c.id).where(USERS.c.username == username)).first() is not None:
                return False
            connection.execute(
                insert(USERS).values(
                    username=username,
                    password_hash=password_hash,
                    role=role,
                    lsg_id=lsg_id,
                    created_at=self.clock.now(),
                )
            )
        return True

    def set_password_hash(self, username: str, password_hash: str) -> bool:
        """New password: failures forgotten, lock lifted, sessions ended; False if no such user."""
        with self.engine.begin() as connection:
            done = connection.execute(
                update(USERS)
                .where(USERS.c.username == username)
                .values(
                    password_hash=password_hash,
                    failed_logins=0,
                    locked_until=None,
                    updated_at=self.clock.now(),
                )
            )
            self._end_sessions(connection, username)
        return bool(done.rowcount)

    def disable(self, username: str) -> bool:
        """Disabled and its sessions ended; False if no such user."""
        with self.engine.begin() as connection:
            done = connection.execute(
                update(USERS)
                .where(USERS.c.username == username)
                .values(disabled=True, updated_at=self.clock.now())
            )
            self._end_sessions(connection, username)
        return bool(done.rowcount)

    @staticmethod
    def _end_sessions(connection: Connection, username: str) -> None:
        user_id = select(USERS.c.id).where(USERS.c.username == username).scalar_subquery()
        connection.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user_id))

    def listing(self) -> list[UserListing]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    USERS.c.username, USERS.c.role, USERS.c.disabled, USERS.c.locked_until, LsgBody.soate_code
                )
                .outerjoin(LsgBody, LsgBody.id == USERS.c.lsg_id)
                .order_by(USERS.c.username)
            )
            return [
                UserListing(name, str(role), bool(off), locked, lsg) for name, role, off, locked, lsg in rows
            ]

    def by_name(self, username: str) -> StoredUser | None:
        return self._one(USERS.c.username == username)

    def by_id(self, user_id: int) -> StoredUser | None:
        return self._one(USERS.c.id == user_id)

    def _one(self, condition: ColumnElement[bool]) -> StoredUser | None:
        with self.engine.connect() as connection:
            row = connection.execute(_USER.where(condition)).first()
        if row is None:
            return None
        return StoredUser(
            row.id,
            row.username,
            ConsoleRole(row.role),
            row.password_hash,
            bool(row.disabled),
            int(row.failed_logins),
            row.locked_until,
            row.lsg_id,
            row.soate_code,
            row.name_ky,
        )

    def record_failure(self, user_id: int, max_failures: int, lock_until: datetime) -> int:
        """Count a failed sign-in in one statement; at ``max_failures`` in a row the account locks
        until ``lock_until``.  Returns the failures in a row now."""
        failures = USERS.c.failed_logins + 1
        with self.engine.begin() as connection:
            count = connection.execute(
                update(USERS)
                .where(USERS.c.id == user_id)
                .values(
                    failed_logins=failures,
                    locked_until=case((failures >= max_failures, lock_until), else_=None),
                )
                .returning(USERS.c.failed_logins)
            ).scalar_one()
        return int(count)

    def record_success(self, user_id: int, new_hash: str | None = None) -> None:
        """A sign-in: failures forgotten, the time kept, the hash renewed if the hasher asks."""
        values: dict[str, object] = {
            "failed_logins": 0,
            "locked_until": None,
            "last_login_at": self.clock.now(),
        }
        if new_hash is not None:
            values["password_hash"] = new_hash
        with self.engine.begin() as connection:
            connection.execute(update(USERS).where(USERS.c.id == user_id).values(**values))
