"""``sanarip-hub xroad call``: call any X-Road service through the security server."""

from __future__ import annotations

import getpass
import json

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.entrypoints.hub import Hub


@click.group()
def xroad() -> None:
    """X-Road services the hub does not model yet, called by hand."""


def _params(given: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for text in given:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{text!r} is not NAME=VALUE", param_hint="--param")
        params[name.strip()] = value
    return params


@xroad.command("call")
@click.argument("service_id")
@click.option("--param", "given", multiple=True, metavar="NAME=VALUE", help="A request element (repeatable).")
@click.option("--wsdl", help="The service's WSDL (URL or file) instead of the provider's getWsdl.")
@click.option("--user-id", default=None, help="userId header (default: this login's name).")
@click.option("--issue", default="operator call", show_default=True, help="issue header: why you call.")
@pass_hub
def call_command(
    hub: Hub, service_id: str, given: tuple[str, ...], wsdl: str | None, user_id: str | None, issue: str
) -> None:
    """Call SERVICE_ID (INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/VERSION]) through the security
    server: zeep reads the WSDL from the provider's getWsdl metaservice (or --wsdl), the answer is
    printed as JSON, and the call is an access-ledger entry."""
    from sanarip_hub.domain.xroad_identifiers import ServiceId
    from sanarip_hub.entrypoints.xroad_call import xroad_call
    from sanarip_hub.errors import InvalidIdentifier

    try:
        service = ServiceId.parse(service_id)
    except InvalidIdentifier as exc:
        raise click.BadParameter(str(exc), param_hint="SERVICE_ID") from None
    answer = xroad_call(hub, service, _params(given), wsdl, user_id or getpass.getuser(), issue)
    click.echo(json.dumps(answer, ensure_ascii=False, indent=2, default=str))
