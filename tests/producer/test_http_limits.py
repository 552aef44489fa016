"""HTTP-level limits on a real ``sanarip-hub serve`` with small limits (issue 11 §4).

The review: 64 MiB of headers accepted, a trickled or never-ending body holding a connection for
ever, 1,100 idle sockets stopping a worker; the console, /metrics and /readyz on the X-Road port,
caller-chosen service codes as metric labels, the database URL in /readyz.  These limits are the
listener's, the same on either back end, so the server here runs on SQLite.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields

import httpx
import pytest

from tests.producer.conftest import (
    SF,
    Served,
    envelope,
    fault_code,
    free_port,
    own_server,
    pin_body,
    post,
    standard_agreements,
    wait_until_serving,
)
from tests.producer.test_rest import rest_headers

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

LIMITS = {
    "SANARIP_HUB_LIMITS_MAX_HEADER_BYTES": "4096",
    "SANARIP_HUB_LIMITS_HEADER_TIMEOUT": "1",
    "SANARIP_HUB_LIMITS_BODY_TIMEOUT": "1",
    "SANARIP_HUB_LIMITS_IDLE_TIMEOUT": "1",
    "SANARIP_HUB_LIMITS_MAX_CONNECTIONS": "20",
    "SANARIP_HUB_LIMITS_MAX_IN_FLIGHT": "2",
}


@dataclass
class Limited(Served):
    console_url: str = ""

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Limited]:
    console_port = free_port()
    env = LIMITS | {"SANARIP_HUB_CONSOLE_LISTEN": f"127.0.0.1:{console_port}"}
    with own_server("sqlite", tmp_path_factory.mktemp("limits"), env, standard_agreements) as server:
        limited = Limited(**{f.name: getattr(server, f.name) for f in fields(server)})
        limited.console_url = f"http://127.0.0.1:{console_port}"
        wait_until_serving(limited.console_url, limited.process)
        yield limited


def connect(limited: Limited) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", limited.port), timeout=20)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, TimeoutError):
        pass
    return b"".join(chunks)


def test_oversized_headers_get_431_and_never_reach_the_application(limited: Limited) -> None:
    before = limited.ledger_size()
    response = httpx.get(f"{limited.url}/healthz", headers={"X-Padding": "a" * 8000}, timeout=20)
    assert response.status_code == 431
    assert limited.ledger_size() == before
    limited.alive()


def test_a_header_that_never_ends_is_cut_early(limited: Limited) -> None:
    """64 MiB of one header value: the server answers 431 and closes after a few KiB."""
    sent = 0
    with connect(limited) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        try:
            while sent < 64 * 1024 * 1024:
                sock.sendall(b"a" * 16384)
                sent += 16384
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = read_all(sock)
    assert sent < 4 * 1024 * 1024, "the server kept reading an endless header"
    assert answer.startswith(b"HTTP/1.1 431") or answer == b""
    limited.alive()


def test_trickled_headers_time_out_with_408(limited: Limited) -> None:
    with connect(limited) as sock:
        sock.sendall(b"POST /xroad HTTP/1.1\r\n")
        closed_by_server = False
        for _ in range(100):  # one byte every 0.2 s, never finishing: the 1 s header deadline cuts it
            try:
                sock.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed_by_server = True
                break
            time.sleep(0.2)
        answer = read_all(sock)
    assert closed_by_server or answer.startswith(b"HTTP/1.1 408")
    assert b"408" in answer or closed_by_server
    limited.alive()


def test_a_body_that_never_ends_times_out_and_is_ledgered(limited: Limited) -> None:
    before = limited.ledger_size()
    with connect(limited) as sock:
        sock.sendall(
            b"POST /xroad HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<a>"
        )
        answer = read_all(sock)  # the server closes the connection after the 1 s body deadline
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    deadline = time.monotonic() + 10
    while limited.ledger_size() == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert limited.ledger_size() == before + 1
    entry = limited.last_entries()[0]
    assert (entry.outcome, entry.request_bytes) == ("Client.Timeout", 3)


def test_idle_sockets_cannot_stop_the_worker(limited: Limited) -> None:
    """60 idle sockets against a cap of 20: those beyond are refused at once, the rest are closed
    by the header deadline, and the worker serves again."""
    sockets = []
    for _ in range(60):
        sock = connect(limited)
        sockets.append(sock)
    refused = 0
    for sock in sockets:
        sock.settimeout(5)
        answer = read_all(sock)
        if answer.startswith(b"HTTP/1.1 503"):
            refused += 1
        else:
            assert answer.startswith(b"HTTP/1.1 408") or answer == b"", answer[:80]
        sock.close()
    assert refused >= 60 - 20
    pin = limited.pins()[0]
    assert fault_code(post(limited, envelope("householdByPin", pin_body("householdByPin", pin)))) is None


def test_requests_beyond_the_in_flight_limit_are_overloaded(limited: Limited) -> None:
    """Two requests held in flight (bodies still arriving) fill the worker's limit of 2: the next
    SOAP request is a Server.Overloaded fault, the next REST request the same error as JSON."""
    held = []
    for _ in range(2):
        sock = connect(limited)
        sock.sendall(
            b"POST /xroad HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<a>"
        )
        held.append(sock)
    time.sleep(0.2)
    try:
        pin = limited.pins()[0]
        soap = post(limited, envelope("householdByPin", pin_body("householdByPin", pin)))
        assert soap.status_code == 503
        assert fault_code(soap) == "Server.Overloaded"
        rest = httpx.get(f"{limited.url}/rest/address-fact/{pin}", headers=rest_headers(), timeout=20)
        assert rest.status_code == 503
        assert rest.json()["type"] == "Server.Overloaded"
        assert rest.headers["x-road-error"] == "Server.Overloaded"
    finally:
        for sock in held:
            sock.close()
    time.sleep(1.5)
    assert fault_code(post(limited, envelope("householdByPin", pin_body("householdByPin", pin)))) is None


def test_the_x_road_port_serves_x_road_only(limited: Limited) -> None:
    for path in ("/console/login", "/metrics", "/readyz"):
        assert httpx.get(f"{limited.url}{path}", timeout=20).status_code == 404, path
        assert httpx.get(f"{limited.console_url}{path}", timeout=20).status_code == 200, path
    assert httpx.post(f"{limited.console_url}/xroad", content=b"<a/>", timeout=20).status_code == 404
    ready = httpx.get(f"{limited.console_url}/readyz", timeout=20).json()
    assert ready["checks"]["database"]["detail"] == "reachable"
    assert "sqlite" not in str(ready)
    assert "postgresql" not in str(ready)


def test_metric_labels_are_never_chosen_by_the_caller(limited: Limited) -> None:
    pin = limited.pins()[0]
    post(limited, envelope("garbageCodeXyz", pin_body("garbageCodeXyz", pin)))
    post(limited, envelope("householdByPin", pin_body("householdByPin", pin),
                           client="SUBSYSTEM:central-server/GOV/70000077/made-up-client"))  # fmt: skip
    post(limited, envelope("householdByPin", pin_body("householdByPin", pin)))
    text = httpx.get(f"{limited.console_url}/metrics", timeout=20).text
    assert "garbageCodeXyz" not in text
    assert "made-up-client" not in text
    assert 'service="other"' in text
    assert 'client="other"' in text
    assert "householdByPin/v1" in text
    assert SF in text
