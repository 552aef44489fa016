"""Time as a port: the wall clock and a monotonic clock, injected where a rule depends on time.

Agreement days, session expiry, the circuit breaker's pause, a certificate's issue time and the
usage report's confidentiality window all ask a :class:`Clock`, and the consumers wait out backoff
and open circuits on it; production passes
:data:`SYSTEM_CLOCK`, tests a clock they move by hand, so a test of "expires after 20 minutes"
or "lets a probe through after 10 s" waits for nothing.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for intervals, not dates)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock (a retry's backoff, an open circuit's pause)."""
        ...


class SystemClock:
    """The machine's clocks."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


SYSTEM_CLOCK: Clock = SystemClock()
