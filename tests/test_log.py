"""Logging is configured by entrypoints only, and a PIN never leaves in a log line."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys

import pytest
import structlog

from sanarip_hub.log import LineLogger, configure, get_logger, mask_pins

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


def test_importing_the_hub_and_asking_for_a_logger_configures_nothing() -> None:
    """A fresh interpreter: importing every layer and logging leaves the root logger untouched."""
    code = (
        "import logging, adapters.xroad.producer.app, sync_jobs.reconcile, sanarip_hub.console.gate\n"
        "from sanarip_hub.log import get_logger\n"
        "get_logger('sanarip_hub.x')\n"
        "root = logging.getLogger()\n"
        "print(len(root.handlers), root.level, logging.getLogger('zeep').level)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0", str(logging.WARNING), "0"]


def test_pin_shaped_numbers_are_masked_and_nothing_else() -> None:
    assert mask_pins("pin=21212199212345 KG21212199212345 x") == "pin=[pin] KG[pin] x"
    # СОАТЕ codes, longer digit runs and invalid dates stay as they are
    assert mask_pins("41708203801020 121212992123451 29912199212345") == (
        "41708203801020 121212992123451 29912199212345"
    )


def test_debug_lowers_only_the_hubs_own_loggers(capsys: pytest.CaptureFixture[str]) -> None:
    configure("json", "debug")
    try:
        get_logger("sanarip_hub.test").debug("own", ok=True)
        logging.getLogger("zeep.transports").debug("HTTP Post to x: <pin>21212199212345</pin>")
        logging.getLogger("sqlalchemy.engine.Engine").info("[cached] ('21212199212345',)")
        logging.getLogger("some.library").warning("failed for 21212199212345")
        lines = capsys.readouterr().err.splitlines()
    finally:
        configure("json", "info")
    assert len(lines) == 2, lines
    assert '"own"' in lines[0]
    assert "failed for [pin]" in lines[1]


def test_an_unconfigured_hub_logger_keeps_to_the_stdlib_defaults() -> None:
    """Embedded without an entrypoint (a benchmark, another program), the hub prints no debug or
    info line of its own: structlog's default would print every one, costing the embedder CPU and
    flooding its output.  A warning still reaches stderr."""
    import subprocess
    import sys

    script = (
        "from sanarip_hub.log import get_logger\n"
        "log = get_logger('sanarip_hub.consumer')\n"
        "log.debug('consumer.answered', attempt=1)\n"
        "log.info('sync.run', checked=3)\n"
        "log.warning('sync.person_failed', person_id=7)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout == ""
    assert "consumer.answered" not in done.stderr
    assert "sync.run" not in done.stderr
    assert "sync.person_failed" in done.stderr


def _both_ways(capsys: pytest.CaptureFixture[str], **fields: object) -> tuple[str, str]:
    """The same event written by the line logger and by the ordinary structlog path."""
    get_logger("sanarip_hub.producer").info("exchange", **fields)
    LineLogger("sanarip_hub.producer").info("exchange", **fields)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines
    return lines[0], lines[1]


def test_the_line_logger_writes_the_ordinary_line(capsys: pytest.CaptureFixture[str]) -> None:
    """Same keys in the same order, same values, PINs masked, non-ASCII kept: only the timestamp,
    taken a moment later, may differ."""
    configure("json", "info")
    fields = {"reason": None, "detail": "нет 21212199212345", "client": "SUBSYSTEM:x", "seq": 7, "ms": 1.5}
    ordinary, short = _both_ways(capsys, **fields)
    assert "21212199212345" not in short
    assert '"нет [pin]"' in short
    one, other = json.loads(ordinary), json.loads(short)
    assert list(one) == list(other)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", other["timestamp"])
    one.pop("timestamp"), other.pop("timestamp")
    assert one == other
    assert ordinary.split('"timestamp"')[0] == short.split('"timestamp"')[0]


def test_the_line_logger_takes_the_ordinary_path_when_the_line_could_differ(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Bound context variables, the console format and a disabled level each go through structlog,
    so the line is what the operator configured."""
    configure("json", "info")
    structlog.contextvars.bind_contextvars(run_id=42)
    try:
        ordinary, short = _both_ways(capsys, seq=1)
    finally:
        structlog.contextvars.clear_contextvars()
    assert json.loads(short)["run_id"] == 42
    assert list(json.loads(ordinary)) == list(json.loads(short))
    configure("console", "info")
    try:
        ordinary, short = _both_ways(capsys, seq=2)
        assert not short.startswith("{")
        assert ordinary.split("[info")[1] == short.split("[info")[1]
    finally:
        configure("json", "info")
    logging.getLogger("sanarip_hub.producer").setLevel(logging.WARNING)
    try:
        LineLogger("sanarip_hub.producer").info("exchange", seq=3)
        assert capsys.readouterr().err == ""
    finally:
        logging.getLogger("sanarip_hub.producer").setLevel(logging.NOTSET)


@pytest.mark.parametrize("where", ["sanarip_hub", "sanarip_hub.producer", ""])
def test_the_line_logger_reaches_any_other_handler(where: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A handler anyone added, on the logger, a parent or the root, gets the record too."""
    configure("json", "info")
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append  # type: ignore[method-assign]
    logging.getLogger(where or None).addHandler(handler)
    try:
        LineLogger("sanarip_hub.producer").info("exchange", seq=4)
    finally:
        logging.getLogger(where or None).removeHandler(handler)
    assert [record.name for record in seen] == ["sanarip_hub.producer"]
    assert json.loads(capsys.readouterr().err)["seq"] == 4
