"""A connection's writes within one event-loop turn leave in one send, in order, and none is lost
when the connection closes."""

from __future__ import annotations

import asyncio
import socket

from adapters.xroad.producer.coalesced_writes import CoalescingTransport


async def _connected() -> tuple[asyncio.Transport, list[bytes], socket.socket]:
    """A real asyncio transport over a socket pair, each of its writes recorded."""
    ours, theirs = socket.socketpair()
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, ours)
    sent: list[bytes] = []
    write = transport.write

    def recording(data: bytes) -> None:
        sent.append(bytes(data))
        write(data)

    transport.write = recording  # type: ignore[method-assign]
    theirs.settimeout(5)
    return transport, sent, theirs


def _read(peer: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = peer.recv(65536)
        assert chunk, "the connection closed early"
        data += chunk
    return data


def test_the_writes_of_one_turn_are_one_send() -> None:
    async def scenario() -> tuple[list[bytes], list[bytes], bytes]:
        transport, sent, peer = await _connected()
        coalescing = CoalescingTransport(transport, asyncio.get_running_loop())
        coalescing.write(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n")
        coalescing.write(memoryview(bytearray(b"hello")))
        before = list(sent)  # nothing has left during the turn
        await asyncio.sleep(0)
        coalescing.write(b"next turn")
        await asyncio.sleep(0)
        received = _read(peer, len(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhellonext turn"))
        transport.close()
        peer.close()
        return before, sent, received

    before, sent, received = asyncio.run(scenario())
    assert before == []
    assert sent == [b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello", b"next turn"]
    assert received == b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhellonext turn"


def test_closing_sends_what_the_turn_wrote_first() -> None:
    async def scenario() -> tuple[list[bytes], bytes]:
        transport, sent, peer = await _connected()
        coalescing = CoalescingTransport(transport, asyncio.get_running_loop())
        coalescing.write(b"HTTP/1.1 503 \r\nconnection: close\r\n\r\n")
        coalescing.write(b"busy\n")
        coalescing.close()
        await asyncio.sleep(0.05)
        received = b""
        while chunk := peer.recv(65536):
            received += chunk
        peer.close()
        return sent, received

    sent, received = asyncio.run(scenario())
    assert sent == [b"HTTP/1.1 503 \r\nconnection: close\r\n\r\nbusy\n"]
    assert received == b"HTTP/1.1 503 \r\nconnection: close\r\n\r\nbusy\n"  # then end of stream
