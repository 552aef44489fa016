"""Console accounts: Argon2id passwords, roles, lockout after repeated failures.

Verification always runs the hash (a dummy one for unknown names), so the time a login takes does
not tell an attacker whether the user name exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, Table, insert, select, update

from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.errors import AccountError
from sanarip_hub.storage.models import LsgBody
from sanarip_hub.storage.models.console import ConsoleUser

USERS: Table = ConsoleUser.__table__  # type: ignore[assignment]
MIN_PASSWORD = 12
_HASHER = PasswordHasher()  # Argon2id, the library's current parameters (64 MiB, t=3, p=4)
_DUMMY = _HASHER.hash("not a password of anyone")


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: ConsoleRole
    lsg_id: int | None
    lsg_soate: str | None
    lsg_name: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


def _lsg_id(engine: Engine, role: ConsoleRole, soate: str | None) -> int | None:
    if role is ConsoleRole.LSG_USER:
        if not soate:
            raise AccountError("an LSG user is bound to one LSG body: give its СОАТЕ code")
        with engine.connect() as connection:
            found = connection.execute(select(LsgBody.id).where(LsgBody.soate_code == soate)).scalar()
        if found is None:
            raise AccountError(f"no LSG body with СОАТЕ {soate}")
        return int(found)
    if soate:
        raise AccountError(f"only LSG users are bound to an LSG body, not a {role.value}")
    return None


def add_user(engine: Engine, username: str, password: str, role: ConsoleRole, lsg: str | None = None) -> None:
    name = username.strip()
    if not name or len(name) > 64 or not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise AccountError("a user name is 1-64 letters, digits, '.', '-' or '_'")
    _check_password(password)
    lsg_id = _lsg_id(engine, role, lsg)
    with engine.begin() as connection:
        if connection.execute(select(USERS.c.id).where(USERS.c.username == name)).first() is not None:
            raise AccountError(f"user {name} already exists")
        connection.execute(
            insert(USERS).values(
                username=name,
                password_hash=_HASHER.hash(password),
                role=role,
                lsg_id=lsg_id,
                created_at=_now(),
            )
        )


def set_password(engine: Engine, username: str, password: str) -> None:
    _check_password(password)
    with engine.begin() as connection:
        done = connection.execute(
            update(USERS)
            .where(USERS.c.username == username)
            .values(
                password_hash=_HASHER.hash(password), failed_logins=0, locked_until=None, updated_at=_now()
            )
        )
    if done.rowcount == 0:
        raise AccountError(f"no user {username}")
    _end_sessions(engine, username)


def disable(engine: Engine, username: str) -> None:
    with engine.begin() as connection:
        done = connection.execute(
            update(USERS).where(USERS.c.username == username).values(disabled=True, updated_at=_now())
        )
    if done.rowcount == 0:
        raise AccountError(f"no user {username}")
    _end_sessions(engine, username)


def _end_sessions(engine: Engine, username: str) -> None:
    from sanarip_hub.storage.models.console import ConsoleSession

    with engine.begin() as connection:
        user_id = connection.execute(select(USERS.c.id).where(USERS.c.username == username)).scalar()
        connection.execute(ConsoleSession.__table__.delete().where(ConsoleSession.user_id == user_id))  # type: ignore[attr-defined]


def list_users(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(
                    USERS.c.username,
                    USERS.c.role,
                    USERS.c.disabled,
                    USERS.c.locked_until,
                    LsgBody.soate_code.label("lsg"),
                )
                .outerjoin(LsgBody, LsgBody.id == USERS.c.lsg_id)
                .order_by(USERS.c.username)
            )
        )


@dataclass(frozen=True)
class SignInResult:
    """The account, or why there is none: the refusal is what clause 15.2 asks to be reported.

    ``refusal``: ``Console.SignInFailed`` (unknown name or wrong password), ``Console.LockedOut``
    (this failure locked the account), ``Console.AccountLocked`` (tried while locked),
    ``Console.AccountDisabled``.  The person at the screen is told none of this apart."""

    account: Account | None
    refusal: str | None = None


def authenticate(
    engine: Engine, username: str, password: str, *, max_failures: int, lockout: timedelta
) -> Account | None:
    """The account if the password is right and the account usable; None otherwise."""
    return sign_in(engine, username, password, max_failures=max_failures, lockout=lockout).account


def sign_in(
    engine: Engine, username: str, password: str, *, max_failures: int, lockout: timedelta
) -> SignInResult:
    """Check a sign-in.

    Each failure counts; at ``max_failures`` in a row the account locks for ``lockout`` (a right
    password during the lockout is refused too, so guessing cannot continue).
    """
    now = _now()
    with engine.begin() as connection:
        row = connection.execute(
            select(USERS, LsgBody.soate_code, LsgBody.name_ky)
            .outerjoin(LsgBody, LsgBody.id == USERS.c.lsg_id)
            .where(USERS.c.username == username.strip())
        ).first()
        stored = row.password_hash if row is not None else _DUMMY
        try:
            good: bool = _HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            good = False
        if row is None:
            return SignInResult(None, "Console.SignInFailed")
        locked = row.locked_until is not None and row.locked_until > now
        if row.disabled:
            return SignInResult(None, "Console.AccountDisabled")
        if locked:
            return SignInResult(None, "Console.AccountLocked")
        if not good:
            failures = row.failed_logins + 1
            connection.execute(
                update(USERS)
                .where(USERS.c.id == row.id)
                .values(
                    failed_logins=failures,
                    locked_until=now + lockout if failures >= max_failures else None,
                )
            )
            return SignInResult(
                None, "Console.LockedOut" if failures >= max_failures else "Console.SignInFailed"
            )
        values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
        if _HASHER.check_needs_rehash(stored):
            values["password_hash"] = _HASHER.hash(password)
        connection.execute(update(USERS).where(USERS.c.id == row.id).values(**values))
        return SignInResult(
            Account(row.id, row.username, ConsoleRole(row.role), row.lsg_id, row.soate_code, row.name_ky)
        )


def account(engine: Engine, user_id: int) -> Account | None:
    """A signed-in user's account, or None if it was disabled or removed since."""
    with engine.connect() as connection:
        row = connection.execute(
            select(USERS, LsgBody.soate_code, LsgBody.name_ky)
            .outerjoin(LsgBody, LsgBody.id == USERS.c.lsg_id)
            .where(USERS.c.id == user_id)
        ).first()
    if row is None or row.disabled:
        return None
    return Account(row.id, row.username, ConsoleRole(row.role), row.lsg_id, row.soate_code, row.name_ky)
