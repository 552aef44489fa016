"""Console accounts as stored: the rows behind :mod:`sanarip_hub.console.accounts`.

The console keeps the rules (who may be bound to an LSG body, password length, hashing, when a
run of failures locks an account); this repository keeps the SQL.  A failed sign-in is counted
as a row of its own (name, address, time), so that concurrent guesses cannot overwrite each other's
count, and a lock can be per address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, Table, delete, func, insert, or_, select, update
from sqlalchemy.sql import ColumnElement

from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.storage.models import LsgBody
from sanarip_hub.storage.models.console import ConsoleSession, ConsoleSignInFailure, ConsoleUser

USERS: Table = ConsoleUser.__table__  # type: ignore[assignment]
SESSIONS: Table = ConsoleSession.__table__  # type: ignore[assignment]
FAILURES: Table = ConsoleSignInFailure.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class StoredUser:
    """An account's row with its LSG body's code and name."""

    id: int
    username: str
    role: ConsoleRole
    password_hash: str
    disabled: bool
    lsg_id: int | None
    lsg_soate: str | None
    lsg_name: str | None
    totp_secret: str | None = None
    totp_enrolled: bool = False
    totp_last_step: int | None = None
    language: str | None = None


@dataclass(frozen=True)
class UserListing:
    username: str
    role: str
    disabled: bool
    last_login_at: datetime | None
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
                    updated_at=self.clock.now(),
                )
            )
            connection.execute(delete(FAILURES).where(FAILURES.c.username == username))
            self._end_sessions(connection, username)
        return bool(done.rowcount)

    def disable(self, username: str) -> bool:
        """Disabled and its sessions ended; False if no such user."""
        return self._set_disabled(username, True)

    def enable(self, username: str) -> bool:
        """May sign in again (with the password it had); False if no such user."""
        return self._set_disabled(username, False)

    def _set_disabled(self, username: str, disabled: bool) -> bool:
        with self.engine.begin() as connection:
            done = connection.execute(
                update(USERS)
                .where(USERS.c.username == username)
                .values(disabled=disabled, updated_at=self.clock.now())
            )
            if disabled:
                self._end_sessions(connection, username)
        return bool(done.rowcount)

    def set_second_factor(
        self, user_id: int, secret: str | None, enrolled: bool, last_step: int | None = None
    ) -> None:
        """The account's TOTP secret (None: none yet), whether it is proven, the last code's step."""
        with self.engine.begin() as connection:
            connection.execute(
                update(USERS)
                .where(USERS.c.id == user_id)
                .values(
                    totp_secret=secret,
                    totp_enrolled=enrolled,
                    totp_last_step=last_step,
                    updated_at=self.clock.now(),
                )
            )

    def use_step(self, user_id: int, step: int) -> bool:
        """Record that a code of ``step`` was used; False when that step (or a later one) already was:
        two sign-ins racing with one code, only one gets in."""
        with self.engine.begin() as connection:
            done = connection.execute(
                update(USERS)
                .where(
                    USERS.c.id == user_id,
                    or_(USERS.c.totp_last_step.is_(None), USERS.c.totp_last_step < step),
                )
                .values(totp_last_step=step, totp_enrolled=True)
            )
        return bool(done.rowcount)

    def reset_second_factor(self, username: str) -> bool:
        """Forget the account's TOTP secret (a lost phone): it enrolls again at its next sign-in,
        after its password; its sessions end.  False if no such user."""
        with self.engine.begin() as connection:
            done = connection.execute(
                update(USERS)
                .where(USERS.c.username == username)
                .values(
                    totp_secret=None, totp_enrolled=False, totp_last_step=None, updated_at=self.clock.now()
                )
            )
            self._end_sessions(connection, username)
        return bool(done.rowcount)

    def set_language(self, user_id: int, language: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(update(USERS).where(USERS.c.id == user_id).values(language=language))

    def active_administrators(self) -> list[str]:
        """The administrators who may sign in: the last of them is never disabled."""
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(USERS.c.username)
                    .where(USERS.c.role == ConsoleRole.ADMINISTRATOR, USERS.c.disabled.is_(False))
                    .order_by(USERS.c.username)
                ).scalars()
            )

    @staticmethod
    def _end_sessions(connection: Connection, username: str) -> None:
        user_id = select(USERS.c.id).where(USERS.c.username == username).scalar_subquery()
        connection.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user_id))

    def listing(self) -> list[UserListing]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    USERS.c.username,
                    USERS.c.role,
                    USERS.c.disabled,
                    USERS.c.last_login_at,
                    LsgBody.soate_code,
                )
                .outerjoin(LsgBody, LsgBody.id == USERS.c.lsg_id)
                .order_by(USERS.c.username)
            )
            return [UserListing(name, str(role), bool(off), last, lsg) for name, role, off, last, lsg in rows]

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
            row.lsg_id,
            row.soate_code,
            row.name_ky,
            row.totp_secret,
            bool(row.totp_enrolled),
            row.totp_last_step,
            row.language,
        )

    def record_failure(self, username: str, address: str, at: datetime, forget_before: datetime) -> None:
        """Keep one failed sign-in (a row each: concurrent guesses are all counted); failures older
        than ``forget_before`` (the lockout window) are dropped on the way."""
        with self.engine.begin() as connection:
            connection.execute(delete(FAILURES).where(FAILURES.c.at < forget_before))
            connection.execute(insert(FAILURES).values(username=username[:64], address=address[:64], at=at))

    def failures(self, since: datetime, *, address: str | None = None, username: str | None = None) -> int:
        """Failed sign-ins since ``since``, from this address, of this name, or both."""
        query = select(func.count()).select_from(FAILURES).where(FAILURES.c.at >= since)
        if address is not None:
            query = query.where(FAILURES.c.address == address)
        if username is not None:
            query = query.where(FAILURES.c.username == username)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def locked_out(self, since: datetime, max_failures: int) -> dict[str, list[str]]:
        """Each account locked somewhere: the addresses with ``max_failures`` failures since ``since``."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(FAILURES.c.username, FAILURES.c.address)
                .where(FAILURES.c.at >= since)
                .group_by(FAILURES.c.username, FAILURES.c.address)
                .having(func.count() >= max_failures)
                .order_by(FAILURES.c.username, FAILURES.c.address)
            ).all()
        locked: dict[str, list[str]] = {}
        for username, address in rows:
            locked.setdefault(username, []).append(address)
        return locked

    def clear_failures(self, username: str, address: str | None = None) -> int:
        """Forget the account's failures (from one address, or all: an administrator's unlock)."""
        condition = FAILURES.c.username == username
        if address is not None:
            condition = condition & (FAILURES.c.address == address)
        with self.engine.begin() as connection:
            return int(connection.execute(delete(FAILURES).where(condition)).rowcount)

    def record_success(self, user_id: int, new_hash: str | None = None) -> None:
        """A sign-in: the time kept, the hash renewed if the hasher asks."""
        values: dict[str, object] = {"last_login_at": self.clock.now()}
        if new_hash is not None:
            values["password_hash"] = new_hash
        with self.engine.begin() as connection:
            connection.execute(update(USERS).where(USERS.c.id == user_id).values(**values))
