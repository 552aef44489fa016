"""Signed notes and checkpoints against the C2SP, Go and transparency-dev vectors."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from sanarip_hub.errors import NoteError
from sanarip_hub.ledger import merkle
from sanarip_hub.ledger.note import (
    DASH,
    Checkpoint,
    Signer,
    Verifier,
    open_checkpoint,
    open_note,
    sign,
    sign_checkpoint,
)

VECTORS = {
    v["id"]: v
    for v in json.loads(
        (Path(__file__).with_name("vectors") / "signed-note-checkpoint-vectors.json").read_text(
            encoding="utf-8"
        )
    )["vectors"]
}


def vector(name: str) -> dict[str, Any]:
    return VECTORS[name]


def test_c2sp_example_verifies() -> None:
    v = vector("c2sp-signed-note-example")
    opened = open_note(v["signed_note"], [Verifier.parse(v["vkey"])])
    assert opened.text == v["note_text"]
    assert opened.verified_by == ("example.com/foo",)


def test_go_signature_is_reproduced_byte_for_byte() -> None:
    v = vector("gomod-note-peterneumann")
    signer = Signer.parse(v["skey"])
    assert signer.verifier().encode() == v["vkey"]
    assert signer.encode() == v["skey"]
    assert sign(v["note_text"], [signer]) == v["signed_note"]
    assert open_note(v["signed_note"], [Verifier.parse(v["vkey"])]).text == v["note_text"]


def test_unknown_keys_are_ignored_and_each_known_key_verifies() -> None:
    v = vector("gomod-note-two-signatures")
    peter, enoch = (Verifier.parse(k) for k in v["vkeys"])
    assert open_note(v["signed_note"], [peter]).verified_by == ("PeterNeumann",)
    assert open_note(v["signed_note"], [enoch]).verified_by == ("EnochRoot",)
    assert open_note(v["signed_note"], [peter, enoch]).verified_by == ("PeterNeumann", "EnochRoot")


@pytest.mark.parametrize("name", ["gomod-note-wrong-key-name", "derived-gomod-note-tampered-text"])
def test_invalid_notes_are_rejected(name: str) -> None:
    v = vector(name)
    with pytest.raises(NoteError):
        open_note(v["signed_note"], [Verifier.parse(v["vkey"])])


def test_a_note_signed_only_by_strangers_is_rejected() -> None:
    v = vector("c2sp-signed-note-example")
    stranger = Signer.generate("example.com/foo").verifier()  # same name, other key: another key ID
    with pytest.raises(NoteError, match="no known key"):
        open_note(v["signed_note"], [stranger])


def test_key_pairs_derive_each_other() -> None:
    for pair in vector("tdformats-test-keypairs")["keypairs"]:
        signer = Signer.parse(pair["skey"])
        assert signer.verifier() == Verifier.parse(pair["vkey"])
        assert signer.encode() == pair["skey"]


def test_go_checksum_database_checkpoint_body() -> None:
    v = vector("gomod-tlog-tree-note-body")
    checkpoint = Checkpoint.parse(v["checkpoint_body"])
    assert (checkpoint.origin, checkpoint.size, checkpoint.root.hex()) == (
        v["origin"],
        v["tree_size"],
        v["root_hash_hex"],
    )
    assert checkpoint.root == merkle.leaf_hash(b"hello world")
    assert checkpoint.text() == v["checkpoint_body"]


def test_transparency_dev_checkpoint_cases() -> None:
    for case in vector("tdformats-checkpoint-marshal")["cases"]:
        if "expect" in case and case["expect"].startswith("invalid"):
            with pytest.raises(NoteError):
                Checkpoint.parse(case["body"], hash_size=None)
            continue
        checkpoint = Checkpoint.parse(case["body"], hash_size=None)
        assert checkpoint.text() == case["body"]
        if "origin" in case:
            assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (
                case["origin"],
                case["tree_size"],
                case["hash_ascii"].encode(),
            )
        else:
            assert checkpoint.extensions == ("Here's some associated data.",)
        with pytest.raises(NoteError, match="32 bytes"):  # the ledger insists on SHA-256 roots
            Checkpoint.parse(case["body"])


def test_c2sp_checkpoint_example_parses() -> None:
    v = vector("c2sp-tlog-checkpoint-example")
    body = v["signed_note"][: v["signed_note"].index("\n\n") + 1]
    checkpoint = Checkpoint.parse(body)
    assert (checkpoint.origin, checkpoint.size) == (v["origin"], v["tree_size"])
    assert base64.b64encode(checkpoint.root).decode() == v["root_hash_b64"]


def test_end_to_end_auditor_vector() -> None:
    v = vector("derived-ledger-checkpoints-tree8")
    signer = Signer.parse(v["skey"])
    assert signer.seed.hex() == v["ed25519_seed_hex"]
    verifier = Verifier.parse(v["vkey"])
    assert verifier.public_key.hex() == v["ed25519_public_hex"]
    origin = "example.com/exchange-ledger-test"
    cp7 = open_checkpoint(v["checkpoint_size7"], verifier, origin)
    cp8 = open_checkpoint(v["checkpoint_size8"], verifier, origin)
    assert sign_checkpoint(cp7, signer) == v["checkpoint_size7"]
    assert sign_checkpoint(cp8, signer) == v["checkpoint_size8"]
    merkle.verify_consistency(7, 8, cp7.root, cp8.root, [bytes.fromhex(x) for x in v["consistency_7_to_8"]])
    inclusion = v["inclusion_leaf6_in_size8"]
    leaf = merkle.leaf_hash(bytes.fromhex(inclusion["leaf_hex"]))
    assert leaf.hex() == inclusion["leaf_hash"]
    merkle.verify_inclusion(6, 8, leaf, [bytes.fromhex(x) for x in inclusion["proof"]], cp8.root)
    with pytest.raises(NoteError, match="expected"):
        open_checkpoint(v["checkpoint_size8"], verifier, "another.log")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s.replace(DASH, "-"),  # an ASCII dash is not the signature marker
        lambda s: s.replace("\n\n", "\n"),  # no blank line
        lambda s: s[:-1],  # no final newline
        lambda s: s.replace("\n8\n", "\n9\n"),  # the size changed after signing
        lambda s: s + f"{DASH} example.com/exchange-ledger-test !!!notbase64\n",
    ],
)
def test_mangled_checkpoints_are_rejected(mangle: Any) -> None:
    v = vector("derived-ledger-checkpoints-tree8")
    with pytest.raises(NoteError):
        open_checkpoint(mangle(v["checkpoint_size8"]), Verifier.parse(v["vkey"]))


@pytest.mark.parametrize(
    "body",
    [
        "log\n08\nAAAA\n",
        "log\n-1\nAAAA\n",
        "log\n1\nnot base64\n",
        "log\n1\n" + "A" * 44 + "\n\n",
        "log\n１\n" + base64.b64encode(bytes(32)).decode() + "\n",
    ],
)
def test_malformed_checkpoint_bodies(body: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(body)


def test_control_characters_and_bad_names_are_refused() -> None:
    signer = Signer.generate("hub.example/ledger")
    with pytest.raises(NoteError, match="control"):
        sign("bell\a\n", [signer])
    with pytest.raises(NoteError, match="key name"):
        Signer.generate("two words")
    with pytest.raises(NoteError, match="ID does not match"):
        Verifier.parse(signer.verifier().encode().replace(f"+{signer.verifier().id:08x}+", "+00000000+"))
