"""Logging is configured by entrypoints only, and a PIN never leaves in a log line."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from sanarip_hub.log import configure, get_logger, mask_pins

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
