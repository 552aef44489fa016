"""What every command shares: settings read once, an engine made on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sanarip_hub.config import Settings
from sanarip_hub.entrypoints.environment import read_settings
from sanarip_hub.storage.engine import make_engine

if TYPE_CHECKING:  # made by storage.engine; the root only holds it
    from sqlalchemy import Engine


@dataclass
class Hub:
    """Settings (validated when first asked for) and the hub database's engine (made when first used).

    The CLI's root command makes one per invocation; the scheduled jobs and the simulator's worker
    processes make their own.  ``settings`` may be given (a test, a benchmark, a job that changes
    a setting); otherwise they come from ``config_file`` and the process environment.
    """

    config_file: str | None = None
    debug: bool = False
    _settings: Settings | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = read_settings(self.config_file)
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
            self._engine = None
