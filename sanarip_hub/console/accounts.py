"""Console accounts: Argon2id passwords, roles, lockout after repeated failures.

The rules live here; the rows behind them in :mod:`sanarip_hub.storage.console_users`, reached
through the :class:`ConsoleUsers` port.  Verification always runs the hash (a dummy one for
unknown names), so the time a login takes does not tell an attacker whether the user name exists.

Lockout is per address.  A run of failures locks the account *for the address they came from*;
its owner, elsewhere, still signs in.  Too many failures from one address, whatever the names,
refuse every sign-in from it for the lockout window (the address is throttled, no hash is even
computed).  So nobody outside can lock every account by guessing wrong passwords for each, which
an account-wide lock allowed; an administrator can unlock an account (all its addresses) at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.config import ConsoleSettings
from sanarip_hub.console import totp
from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.errors import AccountError
from sanarip_hub.storage.console_users import StoredUser, UserListing


def N_(message: str) -> str:  # noqa: N802 - gettext's name for a message marked, not yet translated
    """Marks an account error's message for the console's catalogs: the page translates it
    (:meth:`AccountError.translated`), the command line prints it as written."""
    return message


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
    def enable(self, username: str) -> bool: ...
    def active_administrators(self) -> list[str]: ...
    def record_failure(self, username: str, address: str, at: datetime, forget_before: datetime) -> None: ...
    def failures(
        self, since: datetime, *, address: str | None = None, username: str | None = None
    ) -> int: ...
    def locked_out(self, since: datetime, max_failures: int) -> dict[str, list[str]]: ...
    def clear_failures(self, username: str, address: str | None = None) -> int: ...
    def record_success(self, user_id: int, new_hash: str | None = None) -> None: ...
    def set_second_factor(
        self, user_id: int, secret: str | None, enrolled: bool, last_step: int | None = None
    ) -> None: ...
    def use_step(self, user_id: int, step: int) -> bool: ...
    def reset_second_factor(self, username: str) -> bool: ...


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: ConsoleRole
    lsg_id: int | None
    lsg_soate: str | None
    lsg_name: str | None
    language: str | None = None  # the language the user last chose


def _account(user: StoredUser) -> Account:
    return Account(
        user.id, user.username, user.role, user.lsg_id, user.lsg_soate, user.lsg_name, user.language
    )


# Passwords people choose first and attackers try first (beyond length, the rules below catch the rest)
COMMON = frozenset(
    {
        "password1234", "password12345", "passw0rd1234", "123456789012", "1234567890123",
        "qwertyuiop12", "qwerty123456", "administrator", "admin1234567", "letmein12345",
        "iloveyou1234", "welcome12345", "sanarip-hub1", "sanaripaymak", "sanarip12345",
        "kyrgyzstan12", "kyrgyzstan2026", "bishkek12345", "tunduk123456", "changeme1234",
    }
)  # fmt: skip
_SEQUENCES = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "йцукенгшщзхъфывапролджэячсмитьбю",
)


def _check_password(password: str, username: str = "") -> None:
    """At least 12 characters, and not trivially guessed: ``aaaaaaaaaaaa`` was accepted."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(N_("a password needs at least {count} characters"), count=MIN_PASSWORD)
    lowered = password.lower()
    if len(set(lowered)) < 5:
        raise AccountError(N_("a password needs at least 5 different characters"))
    if lowered in COMMON or any(lowered in sequence or lowered in sequence[::-1] for sequence in _SEQUENCES):
        raise AccountError(N_("this password is among the first that attackers try: choose another"))
    name = username.strip().lower()
    if name and len(name) >= 3 and name in lowered:
        raise AccountError(N_("a password may not contain the user name"))


def _lsg_id(users: ConsoleUsers, role: ConsoleRole, soate: str | None) -> int | None:
    if role is ConsoleRole.LSG_USER:
        if not soate:
            raise AccountError(N_("an LSG user is bound to one LSG body: give its СОАТЕ code"))
        found = users.lsg_id(soate)
        if found is None:
            raise AccountError(N_("no LSG body with СОАТЕ {soate}"), soate=soate)
        return found
    if soate:
        raise AccountError(N_("only LSG users are bound to an LSG body"))
    return None


def add_user(
    users: ConsoleUsers, username: str, password: str, role: ConsoleRole, lsg: str | None = None
) -> None:
    name = username.strip()
    if not name or len(name) > 64 or not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise AccountError(N_("a user name is 1-64 letters, digits, '.', '-' or '_'"))
    _check_password(password, name)
    lsg_id = _lsg_id(users, role, lsg)
    if not users.add(name, _HASHER.hash(password), role, lsg_id):
        raise AccountError(N_("user {name} already exists"), name=name)


def set_password(users: ConsoleUsers, username: str, password: str) -> None:
    """A new password; unlocks the account and ends its sessions."""
    _check_password(password, username)
    if not users.set_password_hash(username, _HASHER.hash(password)):
        raise AccountError(N_("no user {name}"), name=username)


def disable(users: ConsoleUsers, username: str, by: str | None = None) -> None:
    """The account cannot sign in; its sessions end at once.  ``by``: the administrator asking, who
    may not disable themself; nobody may disable the last administrator who can sign in."""
    if by is not None and username == by:
        raise AccountError(N_("you cannot disable your own account: ask another administrator"))
    if users.active_administrators() == [username]:
        raise AccountError(
            N_("{name} is the last administrator who can sign in: add another first"), name=username
        )
    if not users.disable(username):
        raise AccountError(N_("no user {name}"), name=username)


def enable(users: ConsoleUsers, username: str) -> None:
    """A disabled account may sign in again, with the password it had."""
    if not users.enable(username):
        raise AccountError(N_("no user {name}"), name=username)


def reset_second_factor(users: ConsoleUsers, username: str) -> None:
    """Forget the account's one-time-code secret (a lost phone): at its next sign-in, after the
    password, it is shown a new one to enroll.  Its sessions end."""
    if not users.reset_second_factor(username):
        raise AccountError(N_("no user {name}"), name=username)


def unlock(users: ConsoleUsers, username: str) -> int:
    """Forget the account's failed sign-ins from every address; returns how many were forgotten."""
    if users.by_name(username) is None:
        raise AccountError(N_("no user {name}"), name=username)
    return users.clear_failures(username)


@dataclass(frozen=True)
class AccountState:
    """An account as the administrator's list shows it: locked from which addresses, if any."""

    listing: UserListing
    locked_from: tuple[str, ...]

    @property
    def state(self) -> str:
        return "disabled" if self.listing.disabled else ("locked" if self.locked_from else "active")


def list_users(
    users: ConsoleUsers, console: ConsoleSettings, clock: Clock = SYSTEM_CLOCK
) -> list[AccountState]:
    """Every account, with the addresses it is locked for now (``[console]``'s lockout rules)."""
    since = clock.now() - timedelta(minutes=console.lockout_minutes)
    locked = users.locked_out(since, console.max_failed_logins)
    return [AccountState(row, tuple(locked.get(row.username, ()))) for row in users.listing()]


@dataclass(frozen=True)
class SignInResult:
    """The account, or why there is none: the refusal is what clause 15.2 asks to be reported.

    ``refusal``: ``Console.SignInFailed`` (unknown name or wrong password), ``Console.LockedOut``
    (this failure locked the account for this address), ``Console.AccountLocked`` (tried while
    locked), ``Console.AccountDisabled``, ``Console.AddressThrottled`` (too many failures from this
    address).  The person at the screen is told none of the first four apart."""

    account: Account | None
    refusal: str | None = None
    second_factor_owed: bool = False  # the password was right; a one-time code must follow


def sign_in(
    users: ConsoleUsers,
    username: str,
    password: str,
    *,
    max_failures: int,
    lockout: timedelta,
    address: str = "unknown",
    per_address: int = 20,
    clock: Clock = SYSTEM_CLOCK,
    second_factor: frozenset[str] = frozenset(),
) -> SignInResult:
    """Check a sign-in from ``address``.

    ``max_failures`` failures of one account from one address within ``lockout`` lock it for that
    address (a right password from there is refused too, so guessing cannot continue); ``per_address``
    failures from one address within ``lockout``, whatever the names, refuse that address.
    """
    now = clock.now()
    since = now - lockout
    if users.failures(since, address=address) >= per_address:
        return SignInResult(None, "Console.AddressThrottled")
    name = username.strip()
    user = users.by_name(name)
    stored = user.password_hash if user is not None else _DUMMY
    try:
        good: bool = _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        good = False
    if user is not None and user.disabled:
        return SignInResult(None, "Console.AccountDisabled")
    if user is not None and users.failures(since, address=address, username=user.username) >= max_failures:
        return SignInResult(None, "Console.AccountLocked")
    if user is None or not good:
        users.record_failure(name or "-", address, now, since)
        if user is None:
            return SignInResult(None, "Console.SignInFailed")
        failures = users.failures(since, address=address, username=user.username)
        return SignInResult(None, "Console.LockedOut" if failures >= max_failures else "Console.SignInFailed")
    if user.role.value in second_factor:  # failures stand until the code is right too
        return SignInResult(_account(user), second_factor_owed=True)
    users.clear_failures(user.username, address)
    users.record_success(user.id, _HASHER.hash(password) if _HASHER.check_needs_rehash(stored) else None)
    return SignInResult(_account(user))


class SecondFactorKey(NamedTuple):
    username: str  # the name an authenticator app shows beside the codes
    secret: str
    enrolled: bool


def second_factor_secret(users: ConsoleUsers, user_id: int) -> SecondFactorKey:
    """The account's TOTP secret and whether it is enrolled (one read of the account); a first
    secret is made (and kept, so that a reloaded page shows the same) for an account that has none."""
    user = users.by_id(user_id)
    if user is None:
        raise AccountError(N_("no such user"))
    if user.totp_secret:
        return SecondFactorKey(user.username, user.totp_secret, user.totp_enrolled)
    secret = totp.new_secret()
    users.set_second_factor(user_id, secret, enrolled=False)
    return SecondFactorKey(user.username, secret, False)


def second_factor(
    users: ConsoleUsers,
    user_id: int,
    code: str,
    *,
    max_failures: int,
    lockout: timedelta,
    address: str = "unknown",
    clock: Clock = SYSTEM_CLOCK,
) -> SignInResult:
    """Check the one-time code that completes a sign-in.  A wrong, stale or reused code is a failed
    sign-in like a wrong password (it counts towards the same lock); a right one enrolls the
    secret if it was new, and the step it belongs to can never be used again."""
    now = clock.now()
    since = now - lockout
    user = users.by_id(user_id)
    if user is None or user.disabled:
        return SignInResult(None, "Console.AccountDisabled")
    if users.failures(since, address=address, username=user.username) >= max_failures:
        return SignInResult(None, "Console.AccountLocked")
    step = totp.accepted_step(user.totp_secret or "", code, user.totp_last_step, now.timestamp())
    if not user.totp_secret or step is None or not users.use_step(user.id, step):
        users.record_failure(user.username, address, now, since)
        failures = users.failures(since, address=address, username=user.username)
        refusal = "Console.LockedOut" if failures >= max_failures else "Console.SecondFactorFailed"
        return SignInResult(None, refusal)
    users.clear_failures(user.username, address)
    users.record_success(user.id)
    return SignInResult(_account(user))


def account(users: ConsoleUsers, user_id: int) -> Account | None:
    """A signed-in user's account, or None if it was disabled or removed since."""
    user = users.by_id(user_id)
    return None if user is None or user.disabled else _account(user)
