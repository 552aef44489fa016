"""Account rules over the stored rows, on both back ends: every failed sign-in counts, even when
guesses arrive at once, and a run of them locks the account (a right password included) until
the lockout ends; a new password lifts the lock."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from sanarip_hub.console.accounts import add_user, set_password, sign_in
from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.errors import AccountError
from sanarip_hub.storage.console_users import ConsoleUserTable
from tests.clock import ManualClock
from tests.conftest import HubDb

pytestmark = pytest.mark.integration  # PostgreSQL among the back ends

PASSWORD = "a-long-password-2026"


def test_concurrent_failures_are_all_counted(hub_db: HubDb) -> None:
    users = ConsoleUserTable(hub_db.engine)
    add_user(users, "clerk", PASSWORD, ConsoleRole.OPERATOR)
    attempts = 12

    def guess(number: int) -> str | None:
        result = sign_in(users, "clerk", f"wrong-{number}", max_failures=100, lockout=timedelta(minutes=5))
        return result.refusal

    with ThreadPoolExecutor(6) as pool:
        refusals = list(pool.map(guess, range(attempts)))
    assert refusals == ["Console.SignInFailed"] * attempts
    stored = users.by_name("clerk")
    assert stored is not None
    assert stored.failed_logins == attempts


def test_a_run_of_failures_locks_until_the_lockout_ends(hub_db: HubDb) -> None:
    clock = ManualClock()
    users = ConsoleUserTable(hub_db.engine, clock)
    add_user(users, "auditor1", PASSWORD, ConsoleRole.AUDITOR)

    def attempt(password: str) -> str | None:
        return sign_in(
            users, "auditor1", password, max_failures=3, lockout=timedelta(minutes=15), clock=clock
        ).refusal

    assert [attempt("bad-password-1"), attempt("bad-password-2")] == ["Console.SignInFailed"] * 2
    assert attempt("bad-password-3") == "Console.LockedOut"
    assert attempt(PASSWORD) == "Console.AccountLocked"  # the right password is refused too
    clock.advance(16 * 60)
    assert attempt(PASSWORD) is None
    stored = users.by_name("auditor1")
    assert stored is not None
    assert (stored.failed_logins, stored.locked_until) == (0, None)


def test_a_new_password_lifts_the_lock_and_unknown_users_are_errors(hub_db: HubDb) -> None:
    users = ConsoleUserTable(hub_db.engine)
    add_user(users, "admin1", PASSWORD, ConsoleRole.ADMINISTRATOR)
    for number in range(3):
        sign_in(users, "admin1", f"wrong-{number}", max_failures=3, lockout=timedelta(hours=1))
    set_password(users, "admin1", "another-long-password")
    result = sign_in(users, "admin1", "another-long-password", max_failures=3, lockout=timedelta(hours=1))
    assert result.account is not None
    assert result.account.role is ConsoleRole.ADMINISTRATOR
    with pytest.raises(AccountError, match="no user nobody"):
        set_password(users, "nobody", "another-long-password")
    with pytest.raises(AccountError, match="already exists"):
        add_user(users, "admin1", PASSWORD, ConsoleRole.OPERATOR)
