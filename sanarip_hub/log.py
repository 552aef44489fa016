"""Logging, configured once: JSON lines for machines, readable lines on a terminal.

Every component logs through structlog; the standard ``logging`` records of SQLAlchemy, Alembic and
(later) zeep and APScheduler are routed through the same processors, so an operator's log shipper
sees one format.  Message bodies and personal data never go into logs: callers log identifiers,
counts and digests.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

_configured = False


def configure(fmt: str = "auto", level: str = "info") -> None:
    """Set up structlog and stdlib logging to write to stderr.

    ``fmt`` is ``json``, ``console`` or ``auto`` (console when stderr is a terminal).  Calling it
    again reconfigures; that is what tests and the CLI's ``--log-format`` flag rely on.
    """
    global _configured
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
        if use_console
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Third-party chatter stays at WARNING unless the operator asks for debug.
    for noisy in ("sqlalchemy", "alembic", "urllib3", "httpx", "zeep"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if level == "debug" else logging.WARNING)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    _configured = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A named structured logger; configures defaults first if nobody has yet."""
    if not _configured:
        configure()
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
