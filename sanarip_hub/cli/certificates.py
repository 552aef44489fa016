"""``sanarip-hub certificates list|show|revoke|pdf`` and ``keys certificate --lsg CODE``."""

from __future__ import annotations

from pathlib import Path

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.cli.ledger import keys
from sanarip_hub.domain.certificates import KINDS, IssuedCertificate
from sanarip_hub.entrypoints.certificates import CertificateDesk
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.operator_access import operator_user
from sanarip_hub.log import get_logger

log = get_logger("sanarip_hub.cli")


def _desk(hub: Hub) -> CertificateDesk:
    return CertificateDesk(hub.settings, hub.current_engine, operator_user())


@click.group()
def certificates() -> None:
    """The register of certificates the hub issued (signed X-Road answers)."""


@certificates.command("list")
@click.option("--pin", default=None, help="Only this person's certificates (current or old PIN).")
@click.option("--kind", type=click.Choice(sorted(KINDS)), default=None, help="Only this kind.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@pass_hub
def list_command(hub: Hub, pin: str | None, kind: str | None, limit: int) -> None:
    """Issued certificates, newest first (an access-ledger entry: the list shows whose they are)."""
    desk = _desk(hub)
    found = desk.listed(pin, kind, limit)
    if not found:
        click.echo("no certificates" + (f" for {pin}" if pin else ""))
        return
    click.echo(f"{'NUMBER':<28} {'KIND':<25} {'SUBJECT':<14} {'ISSUED (UTC)':<16} {'VALID UNTIL':<11} STATUS")
    for issued in found:
        click.echo(
            f"{issued.number:<28} {issued.kind:<25} {issued.subject_pin:<14} "
            f"{issued.issued_at:%Y-%m-%d %H:%M} {issued.valid_until.isoformat():<11} {desk.status(issued)}"
        )


def _describe(issued: IssuedCertificate, status: str) -> list[tuple[str, str]]:
    return [
        ("number", issued.number),
        ("kind", issued.kind),
        ("status", status),
        ("subject", issued.subject_pin + (f" (asked as old PIN {issued.asked_pin})" if
                                          issued.asked_pin != issued.subject_pin else "")),
        ("issuer", f"{issued.lsg_name or '?'} ({issued.lsg_soate or '?'})"),
        ("signed with", "the LSG body's own key" if issued.key_holder == "lsg" else "the hub's key"),
        ("recipient", issued.recipient),
        ("purpose", issued.purpose or ""),
        ("message id", issued.message_id or ""),
        ("issued", f"{issued.issued_at:%Y-%m-%d %H:%M:%S} UTC"),
        ("data valid on", issued.data_valid_on.isoformat()),
        ("valid until", issued.valid_until.isoformat()),
        ("digest", issued.digest),
        *(
            [("revoked", f"{issued.revoked_at:%Y-%m-%d %H:%M} UTC by {issued.revoked_by}: "
                         f"{issued.revocation_reason}")]
            if issued.revoked_at is not None else []
        ),
    ]  # fmt: skip


@certificates.command("show")
@click.argument("number")
@click.option("--xml", "as_xml", is_flag=True, help="Print the signed document itself.")
@pass_hub
def show_command(hub: Hub, number: str, as_xml: bool) -> None:
    """One certificate: what the register keeps of it (an access-ledger entry)."""
    desk = _desk(hub)
    issued = desk.show(number)
    if as_xml:
        click.echo(issued.document)
        return
    for name, text in _describe(issued, desk.status(issued)):
        click.echo(f"{name + ':':<15}{text}")


@certificates.command("revoke")
@click.argument("number")
@click.option(
    "--reason", required=True, help="Why it is withdrawn (kept with it; verifyCertificate says revoked)."
)
@pass_hub
def revoke_command(hub: Hub, number: str, reason: str) -> None:
    """Withdraw a certificate: from now on verifyCertificate answers 'revoked'."""
    issued = _desk(hub).revoke(number, reason)
    log.info("certificate.revoke", number=number, by=issued.revoked_by)
    click.echo(f"certificate {number} revoked")


@certificates.command("pdf")
@click.argument("number")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@pass_hub
def pdf_command(hub: Hub, number: str, file: Path) -> None:
    """A printable copy in Kyrgyz and Russian, with a QR code for verifyCertificate."""
    issued = _desk(hub).pdf(number, file)
    click.echo(f"{file}: certificate {issued.number} ({issued.kind}), digest {issued.digest}")


@keys.command("certificate")
@click.option("--lsg", "soate", required=True, help="The LSG body's СОАТЕ code (as in the register).")
@click.option("--algorithm", type=click.Choice(["ecdsa", "rsa"]), default="ecdsa", show_default=True)
@click.option("--force", is_flag=True, help="Replace the body's existing key.")
@pass_hub
def keys_certificate(hub: Hub, soate: str, algorithm: str, force: bool) -> None:
    """A development signing key and self-signed certificate for one LSG body (never production:
    put the body's real key and certificate in [certificates] keys_dir as <СОАТЕ>.key/.crt)."""
    from adapters.xroad.certificate import init_lsg_certificate

    name = _desk(hub).lsg_name(soate)
    key_path, cert_path = init_lsg_certificate(hub.settings, soate, name, algorithm=algorithm, force=force)
    click.echo(
        f"certificate:  {cert_path} with key {key_path} ({algorithm}, development, self-signed) for {name}"
    )
