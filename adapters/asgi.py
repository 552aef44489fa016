"""The ASGI interface as types: what the producer, the simulators, the HTTP limits and the
in-process transport all speak (one definition, so an app built by one fits the others)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def request_header(scope: Scope, name: bytes) -> str | None:
    """The first value of header ``name`` (lower case), as latin-1 text as Starlette reads it."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def respond(send: Send, status: int, body: bytes, content_type: str | None) -> None:
    """A whole response in two messages, with the headers Starlette's ``Response`` gives it
    (a length unless the status has no body; the content type when there is one)."""
    headers = [] if status < 200 or status in (204, 304) else [(b"content-length", str(len(body)).encode())]
    if content_type is not None:
        headers.append((b"content-type", content_type.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
