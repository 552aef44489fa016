"""The process environment, read in one place: which settings file, which overrides, debug or not."""

from __future__ import annotations

import os
from collections.abc import Mapping

from sanarip_hub.config import ENV_CONFIG, Settings, load_settings
from sanarip_hub.log import configure

DEBUG = "SANARIP_HUB_DEBUG"


def environment() -> Mapping[str, str]:
    """This process's environment (``SANARIP_HUB_*`` overrides, ``SANARIP_HUB_CONFIG``, …)."""
    return os.environ


def read_settings(config_file: str | None = None) -> Settings:
    """Settings from ``config_file`` (else ``$SANARIP_HUB_CONFIG``) and the ``SANARIP_HUB_*`` overrides."""
    return load_settings(config_file, environ=environment())


def debug_requested(args: list[str] | None = None) -> bool:
    """``--debug`` among ``args``, or ``SANARIP_HUB_DEBUG`` set to something other than 0/false."""
    return (args is not None and "--debug" in args) or environment().get(DEBUG, "") not in ("", "0", "false")


def configure_logging(settings: Settings, fmt: str | None = None, debug: bool | None = None) -> None:
    """Logging as the operator asked: ``fmt`` overrides ``[hub] log_format``; debug lowers the hub's level."""
    debug = debug_requested() if debug is None else debug
    configure(fmt or settings.hub.log_format, "debug" if debug else settings.hub.log_level)


def export_config_file(config_file: str | None) -> None:
    """Hand the settings file to worker processes (uvicorn's workers import the app factories)."""
    if config_file:
        os.environ[ENV_CONFIG] = os.path.abspath(config_file)
