"""``sanarip-hub``: entry point, global options and the one place errors become exit codes.

Exit status: 0 success, 1 failure (one line on stderr, a traceback only with ``--debug``), 2 usage
error (Click's message and the usage line), 130 interrupted.
"""

from __future__ import annotations

import sys
import traceback

import click

from sanarip_hub import __version__
from sanarip_hub.cli.agreements import agreements
from sanarip_hub.cli.certificates import certificates
from sanarip_hub.cli.contracts import contracts
from sanarip_hub.cli.database import backup_command, db, restore_command
from sanarip_hub.cli.demo import demo
from sanarip_hub.cli.ledger import keys, ledger
from sanarip_hub.cli.register import register
from sanarip_hub.cli.seed import seed
from sanarip_hub.cli.serve import serve
from sanarip_hub.cli.simulate import simulate
from sanarip_hub.cli.sync import mismatches, scheduler, sync
from sanarip_hub.cli.users import users
from sanarip_hub.cli.witness import witness
from sanarip_hub.cli.xroad import xroad
from sanarip_hub.entrypoints.environment import configure_logging, debug_requested
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.errors import HubError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
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


cli.add_command(db)
cli.add_command(seed)
cli.add_command(register)
cli.add_command(backup_command)
cli.add_command(restore_command)
cli.add_command(demo)
cli.add_command(keys)
cli.add_command(ledger)
cli.add_command(agreements)
cli.add_command(serve)
cli.add_command(simulate)
cli.add_command(sync)
cli.add_command(mismatches)
cli.add_command(scheduler)
cli.add_command(users)
cli.add_command(witness)
cli.add_command(xroad)
cli.add_command(contracts)
cli.add_command(certificates)


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
        if isinstance(exc.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            click.echo("sanarip-hub: interrupted", err=True)
            sys.exit(130)
        click.echo("sanarip-hub: aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("sanarip-hub: interrupted", err=True)
        sys.exit(130)
    except HubError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"sanarip-hub: error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        click.echo(f"sanarip-hub: unexpected {type(exc).__name__}: {first} (rerun with --debug)", err=True)
        sys.exit(1)
    sys.exit(0)
