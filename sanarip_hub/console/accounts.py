"""Console accounts: Argon2id passwords, roles, lockout after repeated failures.

The rules live here; the rows behind them in :mod:`sanarip_hub.storage.console_users`, reached
through the :class:`ConsoleUsers` port.  Verification always runs the hash (a dummy one for
unknown names), so the time a login takes does not tell an attacker whether the user name exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.errors import AccountError
from sanarip_hub.storage.console_users import StoredUser, UserListing

MIN_PASSWORD = 12
_HASHER = PasswordHasher()  # Argon2id, the library's current parameters (64 MiB, t=3, p=4)
_DUMMY = _HASHER.hash("not a password of anyone")


class ConsoleUsers(Protocol):
    """Where accounts are kept (``storage.console_users.ConsoleUserTable``)."""

    def lsg_id(self, soate: str) -> int | None: ...
    def add(self, username: str, password_hash: str, role: ConsoleRole, lsg_id: int | None) -> bool: ...
    def set_password_hash(self, username: str, password_hash: str) -> bool: ...
    def disable(self, username: str) -> bool: ...
    def listing(self) -> list[UserListing]: ...
    def by_name(self, username: str) -> StoredUser | None: ...
    def by_id(self, user_id: int) -> StoredUser | None: ...
    def record_failure(self, user_id: int, max_failures: int, lock_until: datetime) -> int: ...
    def record_success(self, user_id: int, new_hash: str | None = None) -> None: ...


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: ConsoleRole
    lsg_id: int | None
    lsg_soate: str | None
    lsg_name: str | None


def _account(user: StoredUser) -> Account:
    return Account(user.id, user.username, user.role, user.lsg_id, user.lsg_soate, user.lsg_name)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


def _lsg_id(users: ConsoleUsers, role: ConsoleRole, soate: str | None) -> int | None:
    if role is ConsoleRole.LSG_USER:
        if not soate:
            raise AccountError("an LSG user is bound to one LSG body: give its СОАТЕ code")
        found = users.lsg_id(soate)
        if found is None:
            raise AccountError(f"no LSG body with СОАТЕ {soate}")
        return found
    if soate:
        raise AccountError(f"only LSG users are bound to an LSG body, not a {role.value}")
    return None


def add_user(
    users: ConsoleUsers, username: str, password: str, role: ConsoleRole, lsg: str | None = None
) -> None:
    name = username.strip()
    if not name or len(name) > 64 or not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise AccountError("a user name is 1-64 letters, digits, '.', '-' or '_'")
    _check_password(password)
    lsg_id = _lsg_id(users, role, lsg)
    if not users.add(name, _HASHER.hash(password), role, lsg_id):
        raise AccountError(f"user {name} already exists")


def set_password(users: ConsoleUsers, username: str, password: str) -> None:
    """A new password; unlocks the account and ends its sessions."""
    _check_password(password)
    if not users.set_password_hash(username, _HASHER.hash(password)):
        raise AccountError(f"no user {username}")


def disable(users: ConsoleUsers, username: str) -> None:
    """The account cannot sign in; its sessions end at once."""
    if not users.disable(username):
        raise AccountError(f"no user {username}")


def list_users(users: ConsoleUsers) -> list[UserListing]:
    return users.listing()


@dataclass(frozen=True)
class SignInResult:
    """The account, or why there is none: the refusal is what clause 15.2 asks to be reported.

    ``refusal``: ``Console.SignInFailed`` (unknown name or wrong password), ``Console.LockedOut``
    (this failure locked the account), ``Console.AccountLocked`` (tried while locked),
    ``Console.AccountDisabled``.  The person at the screen is told none of this apart."""

    account: Account | None
    refusal: str | None = None


def sign_in(
    users: ConsoleUsers,
    username: str,
    password: str,
    *,
    max_failures: int,
    lockout: timedelta,
    clock: Clock = SYSTEM_CLOCK,
) -> SignInResult:
    """Check a sign-in.

    Each failure counts; at ``max_failures`` in a row the account locks for ``lockout`` (a right
    password during the lockout is refused too, so guessing cannot continue).
    """
    now = clock.now()
    user = users.by_name(username.strip())
    stored = user.password_hash if user is not None else _DUMMY
    try:
        good: bool = _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        good = False
    if user is None:
        return SignInResult(None, "Console.SignInFailed")
    if user.disabled:
        return SignInResult(None, "Console.AccountDisabled")
    if user.locked_until is not None and user.locked_until > now:
        return SignInResult(None, "Console.AccountLocked")
    if not good:
        failures = users.record_failure(user.id, max_failures, now + lockout)
        return SignInResult(None, "Console.LockedOut" if failures >= max_failures else "Console.SignInFailed")
    users.record_success(user.id, _HASHER.hash(password) if _HASHER.check_needs_rehash(stored) else None)
    return SignInResult(_account(user))


def account(users: ConsoleUsers, user_id: int) -> Account | None:
    """A signed-in user's account, or None if it was disabled or removed since."""
    user = users.by_id(user_id)
    return None if user is None or user.disabled else _account(user)
