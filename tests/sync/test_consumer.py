"""The consumer's failure policy without a network: which faults are retried, and the breaker."""

from __future__ import annotations

import pytest

from adapters.xroad.consumer import CircuitBreaker
from adapters.xroad.reply import is_retryable_fault
from sanarip_hub.errors import CircuitOpen
from tests.clock import ManualClock


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        ("Server.ServerProxy.ServiceFailed", True),
        ("server.serverproxy.service_failed", True),
        ("Server.ClientProxy.NetworkError", True),
        ("server.clientproxy.network_error", True),
        ("Server.ServerProxy.ServiceFailed.Timeout", True),
        ("Client.MissingHeaderField", False),
        ("client.missing_header_field", False),
        ("Server.ServerProxy.AccessDenied", True),  # the provider side: may be a transient ACL reload
        ("Client.AccessDenied", False),
        (None, False),
    ],
)
def test_which_faults_are_retried(code: str | None, retryable: bool) -> None:
    assert is_retryable_fault(code) is retryable


def test_the_breaker_opens_after_failures_and_closes_after_a_good_call() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(threshold=3, pause=10, clock=clock)
    for _ in range(3):
        breaker.before()
        breaker.failure()
    with pytest.raises(CircuitOpen):
        breaker.before()  # open: no call is made
    assert breaker.opened == 1
    clock.advance(9.9)
    assert breaker.remaining() == pytest.approx(0.1)
    with pytest.raises(CircuitOpen):
        breaker.before()  # still open a moment before the pause ends
    clock.advance(0.1)
    breaker.before()  # half open: one call goes through
    breaker.success()
    breaker.before()  # closed again
    assert breaker.failures == 0
