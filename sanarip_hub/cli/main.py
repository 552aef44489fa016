"""``sanarip-hub``: entry point, global options and the one place errors become exit codes.

Exit status: 0 success, 1 failure (one line on stderr, a traceback only with ``--debug``), 2 usage
error (Click's message and the usage line), 130 interrupted.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import NoReturn

import click

from sanarip_hub import __version__
from sanarip_hub.entrypoints.environment import configure_logging, debug_requested
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.errors import HubError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# Each command's module, imported only when that command runs: `agreements list` starts in 0.66 s,
# 0.94 s when every module (the ledger's archive, alembic, the register's importers, the consumers…)
# was imported for any command (measured 2026-12-03, 2 cores).  ``keys`` comes from the certificates
# module, which adds ``keys certificate`` to the ledger's ``keys`` group.
COMMANDS = {
    "db": "sanarip_hub.cli.database:db",
    "seed": "sanarip_hub.cli.seed:seed",
    "register": "sanarip_hub.cli.register:register",
    "backup": "sanarip_hub.cli.database:backup_command",
    "restore": "sanarip_hub.cli.database:restore_command",
    "demo": "sanarip_hub.cli.demo:demo",
    "keys": "sanarip_hub.cli.certificates:keys",
    "ledger": "sanarip_hub.cli.ledger:ledger",
    "agreements": "sanarip_hub.cli.agreements:agreements",
    "serve": "sanarip_hub.cli.serve:serve",
    "simulate": "sanarip_hub.cli.simulate:simulate",
    "sync": "sanarip_hub.cli.sync:sync",
    "mismatches": "sanarip_hub.cli.sync:mismatches",
    "scheduler": "sanarip_hub.cli.sync:scheduler",
    "users": "sanarip_hub.cli.users:users",
    "witness": "sanarip_hub.cli.witness:witness",
    "xroad": "sanarip_hub.cli.xroad:xroad",
    "contracts": "sanarip_hub.cli.contracts:contracts",
    "certificates": "sanarip_hub.cli.certificates:certificates",
}


class LazyCommands(click.Group):
    """The top-level group, whose commands are imported by name when asked for (see COMMANDS)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, name = where.split(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command), where
        return command


@click.group(cls=LazyCommands, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    envvar="SANARIP_HUB_CONFIG",
    help="TOML settings file (default: $SANARIP_HUB_CONFIG, else built-in defaults).",
)
@click.option("--debug", is_flag=True, envvar="SANARIP_HUB_DEBUG", help="Show tracebacks and debug logs.")
@click.option(
    "--log-format",
    type=click.Choice(["auto", "json", "console"]),
    default=None,
    help="Override [hub] log_format.",
)
@click.version_option(__version__, prog_name="sanarip-hub")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, debug: bool, log_format: str | None) -> None:
    """Sanarip Hub: the Sanarip Aimak adapter and exchange hub for Tunduk (X-Road)."""
    hub = Hub(config_file=config_file, debug=debug)
    configure_logging(hub.settings, log_format, debug)  # settings are validated before any command runs
    ctx.obj = hub
    ctx.call_on_close(hub.close)


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while unwinding from Ctrl-C: click turns the interrupt into
    Abort, and a cleanup it cut short (a driver mid-command, then a rollback) raises over it."""
    seen: set[int] = set()
    links: list[BaseException | None] = [exc]
    while links:
        link = links.pop()
        if link is None or id(link) in seen:
            continue
        if isinstance(link, KeyboardInterrupt):
            return True
        seen.add(id(link))
        links += [link.__cause__, link.__context__]  # "raise … from" inside the except keeps both
    return False


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    args = sys.argv[1:] if argv is None else argv
    debug = debug_requested(args)
    try:
        cli.main(args=args, prog_name="sanarip-hub", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:  # includes BadParameter and NoSuchOption
        exc.show()
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort as exc:
        if _interrupted(exc):  # click turns Ctrl-C into Abort
            _exit_interrupted()
        click.echo("sanarip-hub: aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        _exit_interrupted()
    except HubError as exc:
        if _interrupted(exc):
            _exit_interrupted()
        if debug:
            traceback.print_exc()
        click.echo(f"sanarip-hub: error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        if _interrupted(exc):
            _exit_interrupted()
        if debug:
            traceback.print_exc()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        click.echo(f"sanarip-hub: unexpected {type(exc).__name__}: {first} (rerun with --debug)", err=True)
        sys.exit(1)
    sys.exit(0)


def _exit_interrupted() -> NoReturn:
    click.echo("sanarip-hub: interrupted", err=True)
    sys.exit(130)
