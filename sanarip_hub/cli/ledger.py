"""``keys init`` and ``ledger checkpoint|verify|usage|search|export``."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.verification import parallel_for
from sanarip_hub.errors import LedgerIntegrityError, LedgerKeyError, NoMatch
from sanarip_hub.ledger.archive import archive_entries
from sanarip_hub.ledger.bundle import export_bundle, verify_bundle
from sanarip_hub.ledger.checkpoint_log import CheckpointLog
from sanarip_hub.ledger.keys import init_keys, key_paths, ledger_origin, load_verifier
from sanarip_hub.ledger.note import CosignatureVerifier
from sanarip_hub.ledger.query import Filter, Usage, match_message, search
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.ledger.verify import record_verification, summary, verify_configured, verify_ledger
from sanarip_hub.ledger.witness import witness_endpoints
from sanarip_hub.log import get_logger

log = get_logger("sanarip_hub.cli")


def _ledger(hub: Hub) -> Ledger:
    settings = hub.settings
    return Ledger.for_settings(hub.current_engine, settings)


def _time_ms(value: str | None, option: str) -> int | None:
    """An ISO 8601 date or date-time (UTC unless it carries an offset) as epoch milliseconds."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"expected an ISO 8601 date or date-time, got {value!r}", param_hint=option
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


@click.group()
def keys() -> None:
    """Key material of the ledger."""


@keys.command("init")
@click.option("--force", is_flag=True, help="Replace existing keys, only while the ledger is empty.")
@pass_hub
def keys_init(hub: Hub, force: bool) -> None:
    """Create the ledger's keys and a development certificate-signing key under the data directory.

    Keys that already exist are kept (and said so) unless --force, which is refused once the ledger
    holds entries (they are signed and indexed with those keys: use 'keys rotate'); production
    points producer.certificate_key/certificate_cert at the LSG's real key and certificate.
    """
    from adapters.xroad.certificate import certificate_paths, init_certificate

    signing, public, pin = key_paths(hub.settings)
    if force and signing.exists():
        entries = _ledger_size(hub)
        if entries:
            raise LedgerKeyError(
                f"the ledger holds {entries} entries signed and indexed with the current keys; replacing "
                "them would orphan that evidence: use 'sanarip-hub keys rotate' (keeps the old keys valid)"
            )
    ledger_exists = all(p.exists() for p in (signing, public, pin))
    cert_exists = any(p.exists() for p in certificate_paths(hub.settings))
    if ledger_exists and cert_exists and not force:
        raise LedgerKeyError(f"keys already exist ({signing}); use --force to replace them")
    if force or not ledger_exists:
        created = init_keys(hub.settings, force=force)
        log.info("keys.init", public_key=str(public))
        click.echo(f"signing key:  {signing} (keep secret)")
        click.echo(f"PIN key:      {pin} (keep secret)")
        click.echo(f"verifier key: {public} — all an auditor needs:")
        click.echo(f"  {created.verifier.encode()}")
    else:
        click.echo(f"ledger keys:  kept ({signing})")
    if force or not cert_exists:
        key_path, cert_path = init_certificate(hub.settings, force=force)
        click.echo(f"certificate:  {cert_path} with key {key_path} (development, self-signed)")
    else:
        click.echo(f"certificate:  kept ({certificate_paths(hub.settings)[1]})")


def _ledger_size(hub: Hub) -> int:
    """Entries the ledger holds (0 when the database is not set up yet)."""
    from sanarip_hub.storage.inventory import ledger_size

    return ledger_size(hub.engine)


@keys.command("rotate")
@click.option("--pin-key", is_flag=True, help="Also replace the PIN key (the old one stays for old entries).")
@pass_hub
def keys_rotate(hub: Hub, pin_key: bool) -> None:
    """Replace the checkpoint signing key (and the PIN key) without losing what the old ones did.

    The old verifier key stays valid for what it signed (keys/ledger-retired.vkeys, read by every
    verification; give auditors the new key and the old ones); the old signing key moves to
    keys/retired/; an old PIN key keeps finding and opening the entries written under it.
    Restart 'serve' afterwards so that new checkpoints use the new key.
    """
    from sanarip_hub.ledger.keys import retired_keys_path, rotate_keys

    rotated = rotate_keys(hub.settings, pin_key=pin_key)
    log.info("keys.rotate", old=f"{rotated.old.id:08x}", new=f"{rotated.new.id:08x}", pin_key=pin_key)
    click.echo(f"new verifier key: {rotated.new.encode()}")
    click.echo(f"old verifier key (still valid for what it signed): {rotated.old.encode()}")
    click.echo(f"retired verifier keys: {retired_keys_path(hub.settings)}")
    if pin_key:
        click.echo("PIN key replaced; the old one still finds and opens the entries written under it")


@click.group()
def ledger() -> None:
    """The tamper-evident exchange and access ledger."""


@ledger.command()
@pass_hub
def checkpoint(hub: Hub) -> None:
    """Sign a checkpoint of the ledger as it is now, log it, and have the witnesses cosign it."""
    lg = _ledger(hub)
    signed = lg.checkpoint(wait_for_witnesses=True)
    click.echo(f"checkpoint signed at size {signed.size}" if signed else "nothing new to sign")
    for outcome in lg.last_outcomes:
        click.echo(f"witness {outcome.witness}: {outcome.detail}")


@ledger.command()
@click.option(
    "--from", "from_seq", type=click.IntRange(min=0), default=0, help="Start at this sequence number."
)
@click.option("--bundle", type=click.Path(dir_okay=False, path_type=Path), help="Verify an evidence bundle.")
@click.option(
    "--public-key",
    "public_keys",
    type=click.Path(dir_okay=False, path_type=Path),
    multiple=True,
    help="The log's verifier key file (repeat for retired keys; default: the hub's own; "
    "needed with --bundle).",
)
@click.option(
    "--witness-key",
    "witness_keys",
    multiple=True,
    help="With --bundle: a witness's cosigner verifier key (or a file holding it) whose cosignature the "
    "newest checkpoint must carry (repeat).",
)
@pass_hub
def verify(
    hub: Hub,
    from_seq: int,
    bundle: Path | None,
    public_keys: tuple[Path, ...],
    witness_keys: tuple[str, ...],
) -> None:
    """Recompute chain, Merkle tree and checkpoints, compare with the checkpoint log and the
    witnesses; name the first bad entry; exit 1 on any failure."""
    if bundle is not None:
        if not public_keys:
            raise click.UsageError("--bundle needs --public-key")
        cosigners = [_cosigner_key(text) for text in witness_keys]
        checked = verify_bundle(bundle, [load_verifier(path) for path in public_keys], cosigners)
        click.echo(
            f"bundle OK: {checked.entries} entries included in the signed tree of size "
            f"{checked.tree_size} of {checked.origin}; checkpoints {list(checked.checkpoints)} consistent"
        )
        for line in checked.proven:
            click.echo(line)
        return
    if witness_keys:
        raise click.UsageError("--witness-key goes with --bundle (the ledger's witnesses are in [ledger])")
    settings = hub.settings
    engine = hub.current_engine
    try:
        if public_keys:
            ledger_settings = settings.ledger
            result = verify_ledger(
                engine,
                [load_verifier(path) for path in public_keys],
                ledger_origin(settings),
                from_seq,
                settings.home_path(ledger_settings.archive_dir),
                CheckpointLog(settings.home_path(ledger_settings.checkpoint_log)),
                witness_endpoints(ledger_settings.witnesses),
            )
        else:
            result = verify_configured(engine, settings, from_seq, parallel_for(settings))
    except LedgerIntegrityError as problem:
        if from_seq == 0:  # a full verification: the dashboard shows its outcome
            record_verification(engine, "cli", False, problem.seq, str(problem))
        raise
    if from_seq == 0:
        record_verification(engine, "cli", True, result.size, "; ".join([summary(result), *result.witnesses]))
    newest = f"; newest checkpoint at size {result.last_checkpoint.size}" if result.last_checkpoint else ""
    log.info("ledger.verified", entries=result.entries, size=result.size, checkpoints=result.checkpoints)
    extra = f"; {result.logged} in the checkpoint log" if result.logged else ""
    extra += f"; cosigned up to size {result.cosigned}" if result.cosigned else ""
    click.echo(
        f"ledger OK: {result.entries} entries verified from seq {from_seq} (size {result.size}), "
        f"{result.checkpoints} signed checkpoints match{newest}{extra}"
    )
    for line in result.witnesses:
        click.echo(line)


def _cosigner_key(text: str) -> CosignatureVerifier:
    path = Path(text)
    return CosignatureVerifier.parse(path.read_text(encoding="ascii") if path.is_file() else text)


def _print(rows: list[Usage], fmt: str) -> None:
    if fmt == "json":
        for row in rows:
            click.echo(json.dumps(asdict(row), ensure_ascii=False))
        return
    if not rows:
        click.echo("no entries")
        return
    for row in rows:
        when = datetime.fromtimestamp(row.time_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(
            f"{row.seq:>8}  {when}Z  {row.direction:<8} {row.outcome:<10} {row.client_id or '-'}  "
            f"{row.service_id}  user={row.user_id or '-'} issue={row.issue or '-'} "
            f"agreement={row.agreement_id or '-'}"
        )


FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json prints JSON Lines.",
)


@ledger.command()
@click.option(
    "--before", help="Archive entries older than this ISO date or date-time (default: the retention)."
)
@pass_hub
def archive(hub: Hub, before: str | None) -> None:
    """Move old, checkpointed entries into the next signed, hash-linked archive segment."""
    settings = hub.settings
    cutoff = _time_ms(before, "--before")
    if cutoff is None:
        cutoff = int(time.time() * 1000) - settings.ledger.retention_days * 86_400_000
    lg = _ledger(hub)
    written = 0
    while (info := archive_entries(lg, settings.home_path(settings.ledger.archive_dir), cutoff)) is not None:
        written += 1
        log.info("ledger.archive", segment=info.segment, first=info.first_seq, end=info.end_seq)
        click.echo(f"archive segment {info.segment}: entries {info.first_seq}..{info.end_seq - 1}")
    if not written:
        click.echo("nothing to archive")


@ledger.command()
@click.argument("message", type=click.File("rb"))
@pass_hub
def match(hub: Hub, message: BinaryIO) -> None:
    """Which entries recorded this exact request or response (a file, or - for standard input).

    Entries keep only keyed digests of the messages, so this needs the ledger's PIN key: without
    it no one can tell which message an entry recorded.  Exit 1 when no entry did.
    """
    settings = hub.settings
    lg = _ledger(hub)
    verifier = load_verifier(settings.home_path(settings.ledger.public_key))
    archive_dir = settings.home_path(settings.ledger.archive_dir)
    found = match_message(lg.engine, lg.keys.pin_key, message.read(), archive_dir, verifier, lg.origin)
    if not found:
        raise NoMatch("no ledger entry recorded this message (bytes must be exactly those exchanged)")
    for m in found:
        when = datetime.fromtimestamp(m.time_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(
            f"seq {m.seq}: {m.part} of {m.service_id} from {m.client_id or '-'} at {when}Z ({m.place})"
        )


def _paging(function: Any) -> Any:
    """The options every listing shares: pages, everything, and the archive."""
    for option in reversed(
        [
            click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True,
                          help="Entries per page."),
            click.option("--before", "before_seq", type=click.IntRange(min=0),
                         help="Continue with entries older than this sequence number (the 'more:' line)."),
            click.option("--all", "everything", is_flag=True, help="Every matching entry, not one page."),
            click.option("--archived", is_flag=True,
                         help="Also search the archive segments (reads and checks every segment)."),
            FORMAT_OPTION,
        ]
    ):  # fmt: skip
        function = option(function)
    return function


def _answer(
    hub: Hub,
    where: Filter,
    limit: int,
    before_seq: int | None,
    everything: bool,
    archived: bool,
    fmt: str,
    again: list[str],
) -> None:
    """Print one page (or all) of the matching entries, newest first; say when there are more and
    when archived entries were not searched, so the answer is complete or says it is not."""
    from sanarip_hub.ledger.keys import load_verifiers
    from sanarip_hub.ledger.query import archived_ranges, search_archived

    settings = hub.settings
    lg = _ledger(hub)
    rows: list[Usage] = []
    cursor = before_seq
    more: int | None = None
    while True:
        page = search(lg.engine, lg.keys.pin_key, where, limit + 1, cursor)
        if everything:
            rows += page
            if len(page) <= limit:
                break
            cursor = page[-1].seq
            continue
        rows, more = page[:limit], page[limit - 1].seq if len(page) > limit else None
        break
    span = archived_ranges(lg.engine)
    if archived and span is not None and more is None:
        rows += search_archived(
            lg.engine,
            settings.home_path(settings.ledger.archive_dir),
            load_verifiers(settings),
            lg.origin,
            lg.keys.pin_key,
            where,
            before_seq,
        )
    _print(rows, fmt)
    if more is not None:
        click.echo(f"more: sanarip-hub ledger {' '.join(again)} --before {more}", err=True)
    elif span is not None and not archived:
        click.echo(
            f"note: entries {span[0]}..{span[1] - 1} are in archive segments and were not searched; "
            "add --archived to search them too",
            err=True,
        )


@ledger.command()
@click.option("--pin", required=True, help="The data subject's PIN.")
@_paging
@pass_hub
def usage(
    hub: Hub, pin: str, limit: int, before_seq: int | None, everything: bool, archived: bool, fmt: str
) -> None:
    """Who received this person's data: when, which service, why and under which agreement."""
    pin = _checked_pin(pin)
    _answer(hub, Filter(pin=pin), limit, before_seq, everything, archived, fmt,
            ["usage", "--pin", pin, "--limit", str(limit)])  # fmt: skip


@ledger.command("search")
@click.option("--client", "client_id", help="Client subsystem identifier.")
@click.option("--agreement", "agreement_id", help="Agreement number.")
@click.option("--denied", is_flag=True, help="Only denied and malformed attempts (outcome other than ok).")
@click.option("--from", "since", help="From this ISO date or date-time (UTC unless an offset is given).")
@click.option("--to", "until", help="Up to (not including) this ISO date or date-time.")
@_paging
@pass_hub
def search_command(
    hub: Hub,
    client_id: str | None,
    agreement_id: str | None,
    denied: bool,
    since: str | None,
    until: str | None,
    limit: int,
    before_seq: int | None,
    everything: bool,
    archived: bool,
    fmt: str,
) -> None:
    """Entries by client, agreement, outcome and time range, newest first."""
    where = Filter(
        client_id=client_id,
        agreement_id=agreement_id,
        failed_only=denied,
        since_ms=_time_ms(since, "--from"),
        until_ms=_time_ms(until, "--to"),
    )
    again = ["search", "--limit", str(limit)]
    for flag, value in (("--client", client_id), ("--agreement", agreement_id), ("--from", since),
                        ("--to", until)):  # fmt: skip
        if value is not None:
            again += [flag, value]
    if denied:
        again.append("--denied")
    _answer(hub, where, limit, before_seq, everything, archived, fmt, again)


@ledger.command("denied")
@click.option("--from", "since", required=True, help="From this ISO date or date-time (UTC unless offset).")
@click.option("--to", "until", required=True, help="Up to (not including) this ISO date or date-time.")
@FORMAT_OPTION
@pass_hub
def denied_command(hub: Hub, since: str, until: str, fmt: str) -> None:
    """Every unauthorized attempt of a period (regulation clause 15.2), newest first: X-Road calls
    no agreement allows, failed and locked console sign-ins, pages of another role, forged forms."""
    where = Filter(
        unauthorized_only=True, since_ms=_time_ms(since, "--from"), until_ms=_time_ms(until, "--to")
    )
    engine = hub.current_engine
    rows: list[Usage] = []
    before: int | None = None
    while page := search(engine, None, where, 10_000, before):  # the whole period, page by page
        rows += page
        before = page[-1].seq
    _print(rows, fmt)


@ledger.command()
@click.option("--from", "since", help="From this ISO date or date-time (UTC unless offset).")
@click.option("--to", "until", help="Up to (not including) this ISO date or date-time.")
@click.option("--from-seq", "first_seq", type=click.IntRange(min=0), help="From this sequence number.")
@click.option("--to-seq", "end_seq", type=click.IntRange(min=0), help="Up to (not including) this one.")
@click.option("--pin", help="Only entries concerning this data subject.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_hub
def export(
    hub: Hub,
    since: str | None,
    until: str | None,
    first_seq: int | None,
    end_seq: int | None,
    pin: str | None,
    force: bool,
    file: Path,
) -> None:
    """Write an evidence bundle of a contiguous range of entries (chosen by time or by sequence
    number; with --pin, that person's entries of the range): entries, signed manifest, signed and
    cosigned checkpoints, inclusion and consistency proofs.  docs/bundle-format.md describes it."""
    by_time, by_seq = since is not None or until is not None, first_seq is not None or end_seq is not None
    if by_time == by_seq:
        raise click.UsageError(
            "choose the range by time (--from and --to) or by sequence (--from-seq/--to-seq)"
        )
    if by_time and (since is None or until is None):
        raise click.UsageError("--from and --to go together")
    if pin is not None:
        _checked_pin(pin)
    settings = hub.settings
    lg = _ledger(hub)
    summary = export_bundle(
        lg,
        file,
        _time_ms(since, "--from"),
        _time_ms(until, "--to"),
        pin,
        lg.keys.pin_key,
        first_seq=first_seq,
        end_seq=end_seq,
        archive_dir=settings.home_path(settings.ledger.archive_dir),
        force=force,
    )
    log.info("ledger.export", file=str(file), entries=summary.entries, tree_size=summary.tree_size)
    click.echo(
        f"bundle written to {file}: {summary.entries} entries, proofs against the signed tree of size "
        f"{summary.tree_size}"
    )


def _checked_pin(pin: str) -> str:
    from sanarip_hub.domain.identifiers import parse_pin
    from sanarip_hub.errors import InvalidPin

    try:
        return parse_pin(pin).value
    except InvalidPin as exc:
        raise click.BadParameter(str(exc), param_hint="--pin") from None
