"""A world for reconciliation tests: a prepared hub home on one back end and the registry
simulator on loopback serving it, with the truth file it wrote."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import drop_schema
from tests.producer.conftest import prepared_home
from tests.simulator.test_simulator import launch

World = tuple[dict[str, str], list[dict[str, str]]]
REFUSED = "TEST_REFUSED_PEOPLE"  # how many people the civil registry refuses (counted as not checked)


@contextmanager
def simulated_world(backend: str, tmp_path: Path, *simulator_args: str) -> Iterator[World]:
    """The hub's environment (its security server URL the simulator's) and the injected truth: the
    labels reconciliation must flag (a refusal's label, ``flag: false``, is left out; the
    in-process tests check those)."""
    env = prepared_home(backend, tmp_path / "home")
    truth_file = tmp_path / "truth.jsonl"
    url, process = launch(env, truth_file, *simulator_args)
    env["SANARIP_HUB_XROAD_SECURITY_SERVER_URL"] = url
    labels = [json.loads(line) for line in truth_file.read_text(encoding="utf-8").splitlines()]
    truth = [label for label in labels if label["flag"]]
    env[REFUSED] = str(sum(1 for label in labels if label["kind"] == "registry_refusal"))
    try:
        yield env, truth
    finally:
        process.terminate()
        process.wait(timeout=20)
        if backend == "postgresql":
            drop_schema(env["SANARIP_HUB_DATABASE_SCHEMA"])


def flag_key(pin: str | None, field: str, registry_value: str | None) -> tuple[str | None, str]:
    """How a flag is matched with its truth label: by the person's PIN, or, for a person the book
    has no PIN for (``pin_found``), by the PIN the registry found (the label's ``pin``)."""
    return (pin if pin is not None else registry_value), field


def label_keys(truth: list[dict[str, Any]]) -> set[tuple[str | None, str]]:
    """The (PIN, field) of every label reconciliation with the civil registry must flag."""
    return {(t["pin"], t["field"]) for t in truth if t["field"] != "business" and t["flag"]}
