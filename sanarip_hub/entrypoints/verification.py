"""Ledger verification spread over processes: each worker process opens its own connection."""

from __future__ import annotations

import os
from functools import partial

from sanarip_hub.config import Settings
from sanarip_hub.ledger.verify_range import STRETCH, Parallel, Stretch, check_stretch
from sanarip_hub.storage.engine import make_engine


def check_stretch_in_worker(
    settings: Settings, start: int, end: int, sizes: list[int], stretch: int = STRETCH
) -> Stretch:
    """A worker process's task: its own engine (no pool, no pre-ping), one stretch, closed again."""
    engine = make_engine(settings, check=False, pre_ping=False)
    try:
        return check_stretch(engine, start, end, sizes, stretch)
    finally:
        engine.dispose()


def parallel_for(settings: Settings) -> Parallel:
    """``[ledger] verify_workers`` processes (0: one per core), connecting as ``settings`` say."""
    workers = settings.ledger.verify_workers or os.cpu_count() or 1
    return Parallel(partial(check_stretch_in_worker, settings), workers)
