"""Logging: JSON lines for machines, readable lines on a terminal, configured by entrypoints only.

Every component logs through :func:`get_logger`, which only names a logger: importing a module or
asking for a logger never configures anything (a library that configures logging on import takes
that choice away from whoever embeds it).  The entrypoints (``sanarip_hub.entrypoints``: the CLI,
the ASGI factories uvicorn's workers import) call :func:`configure` once with the operator's
format and level; the standard ``logging`` records of SQLAlchemy, Alembic, zeep, httpx and
APScheduler then pass through the same processors, so a log shipper sees one format.

Personal data never goes into a log, at any level: the hub's own code logs identifiers, counts and
digests, and ``--debug`` lowers only the hub's own loggers.  Libraries that log whole messages at
DEBUG (zeep every envelope, SQLAlchemy every bound parameter and row, HTTP clients every URL) stay
at WARNING whatever the level, and as a last line every rendered record has PIN-shaped numbers
masked (``[pin]``), so a traceback quoting a request cannot carry one out either.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

import structlog

from sanarip_hub.domain.identifiers import PIN_IN_TEXT

# Libraries whose DEBUG (and for SQLAlchemy, INFO) records hold message bodies, SQL parameters,
# result rows or URLs; they never go below WARNING.
QUIET_LIBRARIES = (
    "sqlalchemy", "alembic", "urllib3", "httpx", "httpcore", "zeep", "uvicorn.access", "fontTools", "fpdf"
)  # fmt: skip
PIN_MASK = "[pin]"


_FOURTEEN_DIGITS = re.compile("[0-9]{14}").search  # a PIN is fourteen digits: no run of them, no PIN


def mask_pins(text: str) -> str:
    """``text`` with every PIN-shaped run of 14 digits replaced by ``[pin]``.  Most lines hold no
    run of fourteen digits, and one plain search says so (the PIN pattern, tried at every position
    with its dates and leap years, was 2% of a worker's CPU under load, py-spy)."""
    return PIN_IN_TEXT.sub(PIN_MASK, text) if _FOURTEEN_DIGITS(text) else text


class MaskingFormatter(structlog.stdlib.ProcessorFormatter):
    """structlog's formatter, with PINs masked in the finished line (tracebacks included)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_pins(super().format(record))


_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
# What a hub logger does with an event: dropped at once below its stdlib logger's level (a debug
# call in a hot loop costs one level check), else handed to the stdlib logger for the handler that
# configure() installed to format.  Unconfigured (a library user, a benchmark), the stdlib's own
# defaults apply: WARNING and above, to stderr.
_BRIDGE: list[Any] = [
    structlog.stdlib.filter_by_level,
    *_SHARED,
    structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
]


_json_handler: logging.StreamHandler[Any] | None = None  # configure()'s handler, when it writes JSON


def configure(fmt: str = "auto", level: str = "info") -> None:
    """Set up structlog and stdlib logging to write to stderr; called by entrypoints.

    ``fmt`` is ``json``, ``console`` or ``auto`` (console when stderr is a terminal); ``level`` is
    the hub's own level (``debug`` with ``--debug``).  Calling it again reconfigures; that is what
    tests and the CLI's ``--log-format`` flag rely on.
    """
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    shared = _SHARED
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
        if use_console
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    formatter = MaskingFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    global _json_handler
    _json_handler = None if use_console else handler
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Other libraries (APScheduler, asyncio) log at the operator's level, never below INFO; the
    # hub's own loggers follow the level exactly, DEBUG included.
    root.setLevel(max(logging.INFO, logging.getLevelName(level.upper())))
    logging.getLogger("sanarip_hub").setLevel(level.upper())
    for quiet in QUIET_LIBRARIES:
        logging.getLogger(quiet).setLevel(logging.WARNING)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A named structured logger (``sanarip_hub.…``) over the stdlib logger of that name: it logs
    however the entrypoint configured, and by the stdlib's defaults (warnings, to stderr) when
    nothing was configured — never structlog's own default of printing every debug line."""
    logger: structlog.stdlib.BoundLogger = structlog.wrap_logger(
        logging.getLogger(name), processors=_BRIDGE, wrapper_class=structlog.stdlib.BoundLogger
    )
    return logger


class LineLogger:
    """INFO lines of one hub logger, written straight to the JSON handler :func:`configure` installed.

    The producer logs one line per exchange; through structlog's processors, the stdlib logger, its
    handler and structlog's formatter that line cost ~100 µs of a worker's CPU, an eighth of a
    request on the PostgreSQL path (py-spy).  This writes the same line (same keys in the same order,
    PINs masked, the handler's lock held) in a fraction of that, and it takes the ordinary path
    whenever the line could differ: console format, context variables bound, INFO disabled, or any
    other handler listening (a test's capture, an embedder's own)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._stdlib = logging.getLogger(name)
        self._root = logging.getLogger()
        self._ordinary = get_logger(name)
        self._chain: list[logging.Logger] = []  # the loggers between this one and the root
        logger: logging.Logger | None = self._stdlib
        while logger is not None and logger is not self._root:
            self._chain.append(logger)
            logger = logger.parent

    def _direct(self) -> logging.StreamHandler[Any] | None:
        handler = _json_handler
        if handler is None or self._root.handlers != [handler] or handler.filters:
            return None
        if any(logger.handlers or not logger.propagate for logger in self._chain):
            return None
        if not self._stdlib.isEnabledFor(logging.INFO) or structlog.contextvars.get_contextvars():
            return None
        return handler

    def info(self, event: str, **fields: Any) -> None:
        handler = self._direct()
        if handler is None:
            self._ordinary.info(event, **fields)
            return
        fields["event"] = event
        fields["level"] = "info"
        fields["logger"] = self._name
        fields["timestamp"] = datetime.now(tz=UTC).isoformat().replace("+00:00", "Z")
        line = mask_pins(json.dumps(fields, ensure_ascii=False, default=repr)) + handler.terminator
        handler.acquire()
        try:
            handler.stream.write(line)
            handler.flush()
        finally:
            handler.release()
