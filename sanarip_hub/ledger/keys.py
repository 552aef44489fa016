"""The ledger's keys: the Ed25519 checkpoint key pair and the PIN key.

``sanarip-hub keys init`` writes, under ``[ledger]`` paths in the data directory:

* the signer key (Go ``PRIVATE+KEY+…`` string, mode 0600) that signs checkpoints;
* the verifier key (``name+id+key`` string): **all an auditor needs** to check checkpoints and
  evidence bundles offline;
* the PIN key (32 random bytes, mode 0600), from which HKDF derives one key for the keyed PIN hashes
  (HMAC-SHA-256), one for sealing the clear PINs (AES-256-GCM) and one for the keyed digests of the
  messages themselves (HMAC-SHA-256): an unkeyed hash of a request that is little more than a PIN
  would give the PIN back to anyone who tries every PIN.

The key name, which is also the checkpoint origin, is ``<hub subsystem>/ledger``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sanarip_hub.config import Settings
from sanarip_hub.errors import LedgerKeyError, NoteError
from sanarip_hub.ledger.note import Signer, Verifier


def ledger_origin(settings: Settings) -> str:
    """The log identity: the hub's X-Road subsystem plus ``/ledger``."""
    return f"{settings.xroad.subsystem}/ledger"


@dataclass(frozen=True)
class PinKey:
    """Keyed PIN hashes for search, sealed PIN lists for auditors who hold the key.

    ``retired`` are the PIN keys used before ``keys rotate --pin-key``: entries written under them
    keep their hashes and sealed lists, so a search hashes the PIN under every key and unsealing
    tries each; only new entries use the current key."""

    secret: bytes = field(repr=False)
    retired: tuple[bytes, ...] = field(default=(), repr=False)

    def keys(self) -> list[PinKey]:
        """The current key first, then the retired ones (newest first)."""
        return [self, *(PinKey(secret) for secret in reversed(self.retired))]

    def pin_hashes(self, pin: str) -> list[str]:
        """The PIN's keyed hash under every key: what the subject index may hold for it."""
        return [key.hash_pin(pin) for key in self.keys()]

    def message_digests(self, data: bytes) -> list[str]:
        return [key.message_digest(data) for key in self.keys()]

    def _derive(self, purpose: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(self.secret)

    def hash_pin(self, pin: str) -> str:
        return hmac.new(
            self._derive(b"sanarip-hub ledger pin hash v1"), pin.encode(), hashlib.sha256
        ).hexdigest()

    def hasher(self) -> HmacHasher:
        return self._hasher

    @cached_property
    def _sealer(self) -> AESGCM:
        return AESGCM(self._derive(b"sanarip-hub ledger pin seal v1"))

    @cached_property
    def _hasher(self) -> HmacHasher:
        return HmacHasher(self._derive(b"sanarip-hub ledger pin hash v1"))

    @cached_property
    def _message_key(self) -> bytes:
        return self._derive(b"sanarip-hub ledger message digest v1")

    def message_digest(self, data: bytes) -> str:
        """The keyed digest a ledger entry keeps of a request or response: only a holder of the key
        can tell which message an entry recorded, however few the possible messages are."""
        return hmac.digest(self._message_key, data, "sha256").hex()  # one C call, no HMAC object

    def seal(self, pins: list[str]) -> str:
        nonce = os.urandom(12)
        data = self._sealer.encrypt(nonce, json.dumps(pins).encode(), b"ledger-subjects")
        return base64.b64encode(nonce + data).decode()

    def unseal(self, sealed: str) -> list[str]:
        raw = base64.b64decode(sealed)
        for key in self.keys():
            try:
                plain = key._sealer.decrypt(raw[:12], raw[12:], b"ledger-subjects")
            except InvalidTag:
                continue
            pins: list[str] = json.loads(plain)
            return pins
        raise LedgerKeyError("no PIN key of this ledger opens this sealed list")


@dataclass(frozen=True)
class HmacHasher:
    """A prepared keyed hash (derivation done once, not per PIN)."""

    key: bytes = field(repr=False)

    def __call__(self, pin: str) -> str:
        return hmac.digest(self.key, pin.encode(), "sha256").hex()  # one C call, no HMAC object


@dataclass(frozen=True)
class LedgerKeys:
    signer: Signer
    pin_key: PinKey

    @property
    def verifier(self) -> Verifier:
        return self.signer.verifier()


def _write_secret(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def key_paths(settings: Settings) -> tuple[Path, Path, Path]:
    ledger = settings.ledger
    return (
        settings.home_path(ledger.signing_key),
        settings.home_path(ledger.public_key),
        settings.home_path(ledger.pin_key),
    )


def retired_pin_keys_path(settings: Settings) -> Path:
    """PIN keys replaced by ``keys rotate --pin-key`` (32 bytes each, appended, mode 0600)."""
    return settings.home_path(settings.ledger.pin_key).with_name("ledger-pin.retired")


def init_keys(settings: Settings, *, force: bool = False) -> LedgerKeys:
    """Create the key files; refuse to overwrite existing ones unless ``force`` (which the command
    line allows only while the ledger is empty: replacing keys later is ``keys rotate``)."""
    signing, public, pin = key_paths(settings)
    existing = [p for p in (signing, public, pin) if p.exists()]
    if existing and not force:
        raise LedgerKeyError(f"ledger keys already exist ({existing[0]}); use --force to replace them")
    for path in existing:
        path.unlink()
    signer = Signer.generate(ledger_origin(settings))
    _write_secret(signing, (signer.encode() + "\n").encode())
    public.parent.mkdir(parents=True, exist_ok=True)
    public.write_text(signer.verifier().encode() + "\n", encoding="ascii")
    _write_secret(pin, os.urandom(32))
    return LedgerKeys(signer, PinKey(pin.read_bytes()))


def load_keys(settings: Settings) -> LedgerKeys:
    """Read the key files written by :func:`init_keys`."""
    signing, _, pin = key_paths(settings)
    try:
        signer = _parsed(signing, Signer.parse, signing.read_text(encoding="ascii"))
        secret = pin.read_bytes()
    except FileNotFoundError as exc:
        raise LedgerKeyError(f"ledger key missing: {exc.filename} (run 'sanarip-hub keys init')") from None
    except OSError as exc:
        raise LedgerKeyError(f"cannot read ledger key {exc.filename}: {exc.strerror}") from None
    if len(secret) != 32:
        raise LedgerKeyError(
            f"ledger PIN key {pin} must hold 32 bytes, it holds {len(secret)} (restore it from the backup "
            "of the keys directory: without it no entry's subjects can be searched)"
        )
    retired_path = retired_pin_keys_path(settings)
    retired = retired_path.read_bytes() if retired_path.exists() else b""
    if len(retired) % 32:
        raise LedgerKeyError(f"{retired_path} must hold 32-byte keys")
    return LedgerKeys(signer, PinKey(secret, tuple(retired[i : i + 32] for i in range(0, len(retired), 32))))


@dataclass(frozen=True)
class Rotated:
    old: Verifier
    new: Verifier
    pin_key: bool


def rotate_keys(settings: Settings, *, pin_key: bool = False) -> Rotated:
    """Replace the checkpoint signing key (and with ``pin_key`` the PIN key) without losing what
    the old ones did: the old verifier key joins the retired list every verification reads, the
    old signing key moves to ``keys/retired/``, an old PIN key joins the retired PIN keys."""
    signing, public, pin = key_paths(settings)
    current = load_keys(settings)
    old = current.verifier
    fresh = Signer.generate(old.name)
    retired_dir = signing.parent / "retired"
    retired_dir.mkdir(mode=0o700, exist_ok=True)
    _write_secret(retired_dir / f"ledger-{old.id:08x}.skey", signing.read_bytes())
    with retired_keys_path(settings).open("a", encoding="ascii") as handle:
        handle.write(old.encode() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    _replace_secret(signing, (fresh.encode() + "\n").encode())
    public.write_text(fresh.verifier().encode() + "\n", encoding="ascii")
    if pin_key:
        path = retired_pin_keys_path(settings)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, current.pin_key.secret)
            os.fsync(fd)
        finally:
            os.close(fd)
        _replace_secret(pin, os.urandom(32))
    return Rotated(old, fresh.verifier(), pin_key)


def _replace_secret(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    _write_secret(partial, data)
    os.replace(partial, path)


_Key = TypeVar("_Key")


def _parsed(path: Path, parse: Callable[[str], _Key], text: str) -> _Key:
    """A key read from ``path``; a malformed one is an error naming the file and the way out."""
    try:
        return parse(text)
    except (NoteError, ValueError) as exc:
        raise LedgerKeyError(
            f"{path} is not a usable key ({exc}): restore it from the backup of the keys directory"
        ) from None


def retired_keys_path(settings: Settings) -> Path:
    """Verifier keys the log signed with before ``keys rotate`` (one per line, append-only)."""
    return settings.home_path(settings.ledger.public_key).with_name("ledger-retired.vkeys")


def load_verifiers(settings: Settings) -> list[Verifier]:
    """The current verifier key and every retired one: all valid for what they signed."""
    _, public, _ = key_paths(settings)
    verifiers = [load_verifier(public)]
    retired = retired_keys_path(settings)
    if retired.exists():
        verifiers += [
            _parsed(retired, Verifier.parse, line)
            for line in retired.read_text(encoding="ascii").splitlines()
            if line
        ]
    return verifiers


def load_verifier(path: Path) -> Verifier:
    """Read an auditor's verifier key file."""
    try:
        return _parsed(path, Verifier.parse, path.read_text(encoding="ascii"))
    except OSError as exc:
        raise LedgerKeyError(f"cannot read public key {path}: {exc.strerror}") from None
