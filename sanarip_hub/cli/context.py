"""What every command shares: settings loaded once, an engine made on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

import click
from sqlalchemy import Engine

from sanarip_hub.config import Settings, load_settings
from sanarip_hub.storage.engine import make_engine


@dataclass
class HubContext:
    """Created by the root command; settings are validated before any sub-command runs."""

    config_file: str | None
    debug: bool
    _settings: Settings | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_file)
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings)
        return self._engine

    @property
    def current_engine(self) -> Engine:
        """The engine, after checking the schema is at the newest revision (``db upgrade`` first)."""
        from sanarip_hub.storage.migrate import require_current

        require_current(self.engine)
        return self.engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


pass_hub = click.make_pass_decorator(HubContext)
