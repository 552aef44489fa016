"""``sanarip-hub contracts check``: the consumed registry services against our models in ``wsdl/``."""

from __future__ import annotations

import json

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.entrypoints.hub import Hub

SERVICES = ("civil_registry", "address_bureau", "pin_search", "tax")


@click.group()
def contracts() -> None:
    """The registry services' contracts, as their providers publish them."""


@contracts.command("check")
@click.option(
    "--service", "names", multiple=True, type=click.Choice(SERVICES),
    help="A [consumers] service to check (repeatable; default: all).",
)  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_hub
def check_command(hub: Hub, names: tuple[str, ...], fmt: str) -> None:
    """Fetch each consumed service's WSDL through the security server (listMethods, getWsdl) and
    compare its request and response elements with our model in wsdl/.  Every outcome is recorded
    for the dashboard, /metrics and the scheduler ([schedule] skip_drifted).  Exit status 1 when a
    contract drifted (a difference that breaks the nightly run) or could not be checked."""
    from dataclasses import asdict

    from sanarip_hub.entrypoints.contracts_check import check_contracts
    from sanarip_hub.errors import ContractDrift

    checks = check_contracts(hub, names or None)
    if fmt == "json":
        for check in checks:
            click.echo(json.dumps({**asdict(check), "status": check.status.value}, ensure_ascii=False))
    else:
        for check in checks:
            click.echo(f"{check.name:<15} {check.status.value:<12} {check.service}")
            if check.error:
                click.echo(f"    {check.error}")
            for difference in check.differences:
                mark = "BREAKING" if difference.breaking else "compatible"
                click.echo(f"    {mark:<10} {difference.text()}")
    failed = [c for c in checks if c.failed]
    if failed:
        raise ContractDrift(
            "; ".join(f"{c.name} {c.status.value}" for c in failed)
            + " — the nightly run would read these services wrongly or not at all"
        )
