"""The nightly jobs' HTTP pool against a real socket server on loopback that misbehaves on purpose."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from adapters.xroad.transport import HttpPool
from sanarip_hub.errors import TransportFailure

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    return head + await reader.readexactly(length)


async def serve(handler: Handler, call: Callable[[str, list[int]], Awaitable[None]]) -> list[int]:
    """Run ``handler`` on a loopback port; ``call(url, connections)`` drives the pool against it."""
    connections: list[int] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        await call(f"http://127.0.0.1:{port}/xroad", connections)
    return connections


def reply(body: bytes, *, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


async def keep_answering(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        request = await read_request(reader)
        writer.write(reply(b"echo:" + request.rsplit(b"\r\n\r\n", 1)[1]))
        await writer.drain()


def test_requests_reuse_kept_alive_connections() -> None:
    async def call(url: str, connections: list[int]) -> None:
        pool = HttpPool(url, size=2, headers={"Content-Type": "text/xml"})
        results = await asyncio.gather(*(pool.post(b"<m%d/>" % i) for i in range(40)))
        assert [r for r in results] == [(200, b"echo:<m%d/>" % i) for i in range(40)]
        await pool.close()

    assert len(asyncio.run(serve(keep_answering, call))) == 2  # 40 requests, two connections


def test_chunked_and_close_delimited_replies_are_read_whole() -> None:
    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        await read_request(reader)  # the connection was kept for a second request
        writer.write(b"HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\nclosed-delimited")
        await writer.drain()

    async def call(url: str, connections: list[int]) -> None:
        pool = HttpPool(url)
        assert await pool.post(b"x") == (200, b"abcde")
        assert await pool.post(b"y") == (500, b"closed-delimited")
        await pool.close()

    asyncio.run(serve(chunked, call))


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 999999\r\n\r\n", "999999 bytes exceeds the limit of 1000"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"3e8\r\n" + b"a" * 1000 + b"\r\n"
         + b"3e8\r\n" + b"a" * 1000 + b"\r\n", "exceeds the limit of 1000 bytes"),
        (b"NOT-HTTP garbage\r\n\r\n", "bad HTTP reply"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it", "connection lost"),
    ],
    ids=["declared-too-large", "chunked-too-large", "garbage", "cut-mid-body"],
)  # fmt: skip
def test_hostile_replies_fail_with_a_clear_error(response: bytes, message: str) -> None:
    async def hostile(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(response)
        await writer.drain()
        writer.close()

    async def call(url: str, connections: list[int]) -> None:
        pool = HttpPool(url, max_bytes=1000)
        with pytest.raises(TransportFailure, match=message):
            await pool.post(b"<x/>")
        await pool.close()

    asyncio.run(serve(hostile, call))


def test_a_silent_server_times_out_and_a_dead_port_is_refused() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(5)

    async def call(url: str, connections: list[int]) -> None:
        pool = HttpPool(url, timeout=0.3)
        with pytest.raises(TransportFailure, match=r"no reply within 0.3 s"):
            await pool.post(b"<x/>")
        await pool.close()

    asyncio.run(serve(silent, call))

    async def dead() -> None:
        server = await asyncio.start_server(keep_answering, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        pool = HttpPool(f"http://127.0.0.1:{port}/")
        with pytest.raises(TransportFailure, match=r"refused|Connect"):
            await pool.post(b"<x/>")

    asyncio.run(dead())


def test_a_connection_the_server_closed_while_idle_is_replaced() -> None:
    async def one_per_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(reply(b"ok"))  # no "Connection: close": the client believes it may reuse it
        await writer.drain()

    async def call(url: str, connections: list[int]) -> None:
        pool = HttpPool(url, size=1)
        assert await pool.post(b"1") == (200, b"ok")
        await asyncio.sleep(0.1)  # the server's close reaches the client
        assert await pool.post(b"2") == (200, b"ok")
        await pool.close()

    assert len(asyncio.run(serve(one_per_connection, call))) == 2


def test_only_http_urls() -> None:
    with pytest.raises(ValueError, match="not an http"):
        HttpPool("ftp://127.0.0.1/")
