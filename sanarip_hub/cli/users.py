"""``sanarip-hub users add|passwd|disable|enable|unlock|reset-code|list``: console accounts."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.entrypoints.hub import Hub

if TYPE_CHECKING:
    from sanarip_hub.storage.console_users import ConsoleUserTable


def _password(stdin: bool) -> str:
    """From standard input (scripts: ``--password-stdin``) or typed twice at a hidden prompt."""
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@click.group()
def users() -> None:
    """Console accounts: operators, auditors, LSG users and administrators."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in ConsoleRole]), required=True)
@click.option("--lsg", help="СОАТЕ code of the LSG body (LSG users only, required for them).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_hub
def add_command(hub: Hub, username: str, role: str, lsg: str | None, password_stdin: bool) -> None:
    """Create an account (the password is hashed with Argon2id; at least 12 characters)."""
    from sanarip_hub.console.accounts import add_user

    add_user(_table(hub), username, _password(password_stdin), ConsoleRole(role), lsg)
    click.echo(f"user {username} added ({role}{', ' + lsg if lsg else ''})")


@users.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_hub
def passwd_command(hub: Hub, username: str, password_stdin: bool) -> None:
    """Set a new password (unlocks the account and ends its sessions)."""
    from sanarip_hub.console.accounts import set_password

    set_password(_table(hub), username, _password(password_stdin))
    click.echo(f"password of {username} changed; its sessions ended")


@users.command("disable")
@click.argument("username")
@pass_hub
def disable_command(hub: Hub, username: str) -> None:
    """Disable an account (it cannot sign in; its sessions end at once)."""
    from sanarip_hub.console.accounts import disable

    disable(_table(hub), username)
    click.echo(f"user {username} disabled")


@users.command("list")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_hub
def list_command(hub: Hub, output: str) -> None:
    """Every account with its role, LSG body, state and last sign-in (locked: from which addresses)."""
    from sanarip_hub.console.accounts import list_users

    accounts = list_users(_table(hub), hub.settings.console)
    if output == "table":
        if not accounts:
            click.echo("no accounts (add one: sanarip-hub users add NAME --role administrator)")
            return
        click.echo(f"{'USER':<24}{'ROLE':<15}{'LSG BODY':<16}{'LAST SIGN-IN (UTC)':<20}STATE")
    for account in accounts:
        row = account.listing
        last = row.last_login_at.strftime("%Y-%m-%d %H:%M") if row.last_login_at else None
        if output == "json":
            click.echo(
                json.dumps(
                    {
                        "username": row.username, "role": row.role, "lsg": row.lsg, "state": account.state,
                        "locked_from": list(account.locked_from), "last_login_at": last,
                    }
                )
            )  # fmt: skip
        else:
            locked = f" (from {', '.join(account.locked_from)})" if account.locked_from else ""
            click.echo(
                f"{row.username:<24}{row.role:<15}{row.lsg or '-':<16}{last or 'never':<20}"
                f"{account.state}{locked}"
            )


@users.command("enable")
@click.argument("username")
@pass_hub
def enable_command(hub: Hub, username: str) -> None:
    """Let a disabled account sign in again (with the password it had)."""
    from sanarip_hub.console.accounts import enable

    enable(_table(hub), username)
    click.echo(f"user {username} enabled")


@users.command("unlock")
@click.argument("username")
@pass_hub
def unlock_command(hub: Hub, username: str) -> None:
    """Forget an account's failed sign-ins from every address (it is no longer locked anywhere)."""
    from sanarip_hub.console.accounts import unlock

    click.echo(f"user {username} unlocked ({unlock(_table(hub), username)} failed sign-ins forgotten)")


@users.command("reset-code")
@click.argument("username")
@pass_hub
def reset_code_command(hub: Hub, username: str) -> None:
    """Forget an account's one-time-code key (a lost phone): its next sign-in, after the password,
    shows a new key to add to an authenticator app.  Its sessions end."""
    from sanarip_hub.console.accounts import reset_second_factor

    reset_second_factor(_table(hub), username)
    click.echo(f"user {username}: one-time-code key forgotten; a new one is set up at the next sign-in")


def _table(hub: Hub) -> ConsoleUserTable:
    """The accounts' table, made only when a command runs (the CLI imports its modules lazily)."""
    from sanarip_hub.storage.console_users import ConsoleUserTable

    return ConsoleUserTable(hub.current_engine)
