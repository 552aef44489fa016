"""``sanarip-hub witness init|trust|serve``: a C2SP tlog-witness that another body can run.

The personal-data protection agency (or any oversight body) runs this on its own machine, trusts
the hub's ledger verifier key, and the hub's ``[ledger] witnesses`` points at it: every checkpoint
is then cosigned by a party the hub's own administrators cannot rewrite.
"""

from __future__ import annotations

from pathlib import Path

import click

DIR_OPTION = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("witness"),
    show_default=True,
    help="The witness's own directory: its key, the logs it trusts, its state.",
)


@click.group()
def witness() -> None:
    """A transparency-log witness (C2SP tlog-witness) for the hub's ledger, or any other log."""


@witness.command("init")
@DIR_OPTION
@click.option("--name", required=True, help="The witness's key name, e.g. pdp.gov.kg/witness.")
def init_command(directory: Path, name: str) -> None:
    """Create the witness's cosigning key; print the verifier key the log's [ledger] witnesses needs."""
    from sanarip_hub.errors import HubError
    from sanarip_hub.ledger.note import Cosigner

    key_path = directory / "witness.key"
    if key_path.exists():
        raise HubError(f"{key_path} already exists: a witness keeps its key (its cosignatures name it)")
    directory.mkdir(parents=True, exist_ok=True)
    cosigner = Cosigner.generate(name)
    key_path.touch(mode=0o600)
    key_path.write_text(cosigner.encode() + "\n", encoding="ascii")
    (directory / "witness.vkey").write_text(cosigner.verifier().encode() + "\n", encoding="ascii")
    click.echo(f"witness key: {key_path} (keep secret)")
    click.echo(f"verifier key (for the log's [ledger] witnesses): {cosigner.verifier().encode()}")


@witness.command("trust")
@DIR_OPTION
@click.argument("vkey")
def trust_command(directory: Path, vkey: str) -> None:
    """Cosign checkpoints of the log whose verifier key is VKEY (the key itself, or a file holding it)."""
    from sanarip_hub.ledger.note import Verifier

    text = Path(vkey).read_text(encoding="ascii").strip() if Path(vkey).is_file() else vkey
    verifier = Verifier.parse(text)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "logs.txt").open("a", encoding="ascii") as handle:
        handle.write(verifier.encode() + "\n")
    click.echo(f"trusting log {verifier.name} (key {verifier.id:08x})")


@witness.command("serve")
@DIR_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), required=True)
def serve_command(directory: Path, host: str, port: int) -> None:
    """Serve POST /add-checkpoint until stopped."""
    from sanarip_hub.entrypoints.witness import serve

    serve(directory, host, port)
