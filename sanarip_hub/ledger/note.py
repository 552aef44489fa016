"""C2SP signed notes and tlog-checkpoints with Ed25519 keys, byte-compatible with Go's
``golang.org/x/mod/sumdb/note`` and transparency-dev's ``formats/log``.

A signed note is UTF-8 text ending in a newline, a blank line, then one line per signature:
``— <key name> <base64(key ID[4] || Ed25519 signature[64])>`` (the dash is U+2014).  The key ID is
``SHA-256(name || 0x0A || 0x01 || public key)[:4]``.  Keys travel as Go's strings:
``<name>+<hex key ID>+<base64(0x01 || public key)>`` for the verifier key an auditor holds, and
``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`` for the signer's key.

A tlog-checkpoint is a signed note whose text is the log's origin, the tree size in decimal and the
base64 Merkle root, one per line, followed by optional extension lines.

Verification works on the exact bytes received (never on a re-serialised parse), ignores signatures
by unknown keys, rejects the note if a known key's signature fails, and requires at least one known
key to verify: the rules of the C2SP spec.

Witnesses add **cosignatures** (C2SP tlog-cosignature, Ed25519, signature type 0x04): a signature
line whose blob is ``key ID[4] || timestamp[8, big-endian] || Ed25519 signature[64]`` over
``"cosignature/v1\ntime <timestamp>\n" + <checkpoint text>``; the key ID is computed with 0x04
instead of 0x01.  :class:`Cosigner` makes them (the witness), :class:`CosignatureVerifier` checks
them (the log and its auditors); :func:`open_note` takes both kinds of verifier.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from sanarip_hub.errors import NoteError

ALG_ED25519 = 0x01
ALG_COSIGNATURE = 0x04  # timestamped Ed25519 cosignature (C2SP tlog-cosignature)
DASH = "\u2014"
MAX_SIGNATURES = 100
_NAME = re.compile(r"[^\s+]+")


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise NoteError(f"{what} is not valid base64") from None


def key_id(name: str, public_key: bytes, algorithm: int = ALG_ED25519) -> int:
    """The 32-bit key ID of a key named ``name`` (Ed25519 signer, or cosigner with 0x04)."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([algorithm]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def cosigned_message(text: str, timestamp: int) -> bytes:
    """What an Ed25519 cosigner signs for a checkpoint body ``text`` at ``timestamp``."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 verifier key: what an auditor needs to check checkpoints and bundles."""

    name: str
    public_key: bytes
    id: int = field(init=False)

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.public_key) != 32:
            raise NoteError("an Ed25519 public key has 32 bytes")
        object.__setattr__(self, "id", key_id(self.name, self.public_key))

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        """Read ``name+hexid+base64(0x01||pub)``."""
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3 or len(parts[1]) != 8:
            raise NoteError("verifier key must look like name+hex8+base64")
        name, hex_id, encoded = parts
        raw = _b64decode(encoded, "verifier key")
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("verifier key is not an Ed25519 key")
        verifier = cls(name, raw[1:])
        if f"{verifier.id:08x}" != hex_id.lower():
            raise NoteError("verifier key ID does not match its name and public key")
        return verifier

    def encode(self) -> str:
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.id:08x}+{encoded}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
        except InvalidSignature:
            return False
        return True

    def check(self, text: bytes, blob: bytes) -> bool:
        """A signature line's blob after the key ID verifies over the note text."""
        return len(blob) == 64 and self.verify(text, blob)


@dataclass(frozen=True)
class CosignatureVerifier:
    """A witness's Ed25519 cosigner key (vkey type 0x04): checks its timestamped cosignatures."""

    name: str
    public_key: bytes
    id: int = field(init=False)

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.public_key) != 32:
            raise NoteError("an Ed25519 public key has 32 bytes")
        object.__setattr__(self, "id", key_id(self.name, self.public_key, ALG_COSIGNATURE))

    @classmethod
    def parse(cls, vkey: str) -> CosignatureVerifier:
        """Read ``name+hexid+base64(0x04||pub)``."""
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3 or len(parts[1]) != 8:
            raise NoteError("cosigner key must look like name+hex8+base64")
        raw = _b64decode(parts[2], "cosigner key")
        if len(raw) != 33 or raw[0] != ALG_COSIGNATURE:
            raise NoteError("cosigner key is not an Ed25519 cosignature key (type 0x04)")
        verifier = cls(parts[0], raw[1:])
        if f"{verifier.id:08x}" != parts[1].lower():
            raise NoteError("cosigner key ID does not match its name and public key")
        return verifier

    def encode(self) -> str:
        encoded = base64.b64encode(bytes([ALG_COSIGNATURE]) + self.public_key).decode()
        return f"{self.name}+{self.id:08x}+{encoded}"

    def timestamp(self, text: bytes, blob: bytes) -> int | None:
        """The cosignature's time when ``blob`` (timestamp || signature) verifies, else None."""
        if len(blob) != 72:
            return None
        stamp = int.from_bytes(blob[:8], "big")
        if stamp >= 1 << 63:
            return None
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(
                blob[8:], cosigned_message(text.decode(), stamp)
            )
        except InvalidSignature:
            return None
        return stamp

    def check(self, text: bytes, blob: bytes) -> bool:
        return self.timestamp(text, blob) is not None


@dataclass(frozen=True)
class Cosigner:
    """A witness's cosigning key."""

    name: str
    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.seed) != 32:
            raise NoteError("an Ed25519 private key seed has 32 bytes")

    @classmethod
    def generate(cls, name: str) -> Cosigner:
        key = Ed25519PrivateKey.generate()
        return cls(name, key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))

    @classmethod
    def parse(cls, skey: str) -> Cosigner:
        """Read ``PRIVATE+KEY+name+hexid+base64(0x04||seed)``."""
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or len(parts[3]) != 8:
            raise NoteError("cosigner key must look like PRIVATE+KEY+name+hex8+base64")
        raw = _b64decode(parts[4], "cosigner key")
        if len(raw) != 33 or raw[0] != ALG_COSIGNATURE:
            raise NoteError("not an Ed25519 cosigner key (type 0x04)")
        cosigner = cls(parts[2], raw[1:])
        if f"{cosigner.verifier().id:08x}" != parts[3].lower():
            raise NoteError("cosigner key ID does not match its name and key")
        return cosigner

    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, _raw_public(self._key().public_key()))

    def encode(self) -> str:
        encoded = base64.b64encode(bytes([ALG_COSIGNATURE]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier().id:08x}+{encoded}"

    def cosignature_line(self, text: str, timestamp: int) -> str:
        """The note signature line cosigning checkpoint body ``text`` at ``timestamp``."""
        signature = self._key().sign(cosigned_message(text, timestamp))
        blob = self.verifier().id.to_bytes(4, "big") + timestamp.to_bytes(8, "big") + signature
        return f"{DASH} {self.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class Signer:
    """An Ed25519 signing key with its note key name."""

    name: str
    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.seed) != 32:
            raise NoteError("an Ed25519 private key seed has 32 bytes")

    @classmethod
    def generate(cls, name: str) -> Signer:
        key = Ed25519PrivateKey.generate()
        return cls(name, key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))

    @classmethod
    def parse(cls, skey: str) -> Signer:
        """Read Go's ``PRIVATE+KEY+name+hexid+base64(0x01||seed)``."""
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or len(parts[3]) != 8:
            raise NoteError("signer key must look like PRIVATE+KEY+name+hex8+base64")
        raw = _b64decode(parts[4], "signer key")
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("signer key is not an Ed25519 key")
        signer = cls(parts[2], raw[1:])
        if f"{signer.verifier().id:08x}" != parts[3].lower():
            raise NoteError("signer key ID does not match its name and key")
        return signer

    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def verifier(self) -> Verifier:
        return Verifier(self.name, _raw_public(self._key().public_key()))

    def encode(self) -> str:
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier().id:08x}+{encoded}"

    def signature_line(self, text: str) -> str:
        signature = self._key().sign(text.encode())
        blob = self.verifier().id.to_bytes(4, "big") + signature
        return f"{DASH} {self.name} {base64.b64encode(blob).decode()}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ch != "\n" and (ord(ch) < 0x20 or ord(ch) == 0x7F) for ch in text):
        raise NoteError("note text must not contain control characters")


def sign(text: str, signers: Iterable[Signer]) -> str:
    """The signed note: ``text``, a blank line, one signature line per signer."""
    _check_text(text)
    lines = [signer.signature_line(text) for signer in signers]
    if not lines:
        raise NoteError("a note needs at least one signature")
    return text + "\n" + "".join(lines)


@dataclass(frozen=True)
class Opened:
    """A verified note: its text and the names of the known keys whose signatures verified."""

    text: str
    verified_by: tuple[str, ...]


def open_note(signed: str, verifiers: Iterable[Verifier | CosignatureVerifier]) -> Opened:
    """Verify a signed note against known ``verifiers``; raise :class:`NoteError` if it fails."""
    if "\n\n" not in signed or not signed.endswith("\n"):
        raise NoteError("malformed note: no blank line before the signatures")
    split = signed.rindex("\n\n")
    text, block = signed[: split + 1], signed[split + 2 :]
    _check_text(text)
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
    known = {(v.name, v.id): v for v in verifiers}
    verified: list[str] = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"malformed signature line: {line[:60]!r}")
        _, name, encoded = parts
        _check_name(name)
        blob = _b64decode(encoded, "signature")
        if len(blob) < 5:
            raise NoteError("signature too short")
        verifier = known.get((name, int.from_bytes(blob[:4], "big")))
        if verifier is None:
            continue  # a signature by a key we do not know: ignored, as the spec says
        if not verifier.check(text.encode(), blob[4:]):
            raise NoteError(f"signature by {name} does not verify")
        verified.append(name)
    if not verified:
        raise NoteError("no known key signed this note")
    return Opened(text, tuple(verified))


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint body: origin, tree size, root hash, extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        body = f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"
        return body + "".join(f"{line}\n" for line in self.extensions)

    @classmethod
    def parse(cls, text: str, hash_size: int | None = 32) -> Checkpoint:
        """Parse a checkpoint body strictly (``hash_size=None`` accepts any root length)."""
        if not text.endswith("\n"):
            raise NoteError("checkpoint must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("checkpoint needs origin, size and root lines")
        origin, size_text, root_text, *extensions = lines
        if not origin:
            raise NoteError("checkpoint origin is empty")
        if not size_text.isascii() or not size_text.isdigit() or (size_text != "0" and size_text[0] == "0"):
            raise NoteError(f"checkpoint size {size_text!r} is not a decimal without leading zeros")
        root = _b64decode(root_text, "checkpoint root")
        if hash_size is not None and len(root) != hash_size:
            raise NoteError(f"checkpoint root must be {hash_size} bytes, got {len(root)}")
        if any(not line for line in extensions):
            raise NoteError("checkpoint extension lines must not be empty")
        return cls(origin, int(size_text), root, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The signed-note form of ``checkpoint``; the key name should equal the origin."""
    return sign(checkpoint.text(), [signer])


def open_checkpoint(
    signed: str, verifier: Verifier | Iterable[Verifier], origin: str | None = None
) -> Checkpoint:
    """Verify a signed checkpoint with ``verifier`` (or any of several keys of the log) and parse
    it; check the origin if given."""
    opened = open_note(signed, [verifier] if isinstance(verifier, Verifier) else verifier)
    checkpoint = Checkpoint.parse(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"checkpoint is for log {checkpoint.origin!r}, expected {origin!r}")
    return checkpoint
