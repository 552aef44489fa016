"""The witness server (C2SP tlog-witness ``add-checkpoint``) that an oversight body runs."""

from __future__ import annotations

from pathlib import Path

import click
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sanarip_hub.ledger.witness import WitnessState
from sanarip_hub.log import get_logger

log = get_logger("sanarip_hub.witness")
MAX_REQUEST_BYTES = 64 * 1024


def witness_app(state: WitnessState) -> Starlette:
    """``POST /add-checkpoint`` and ``GET /healthz`` over one witness's state."""

    async def add_checkpoint(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_REQUEST_BYTES:
            return Response(b"request too large\n", 413)
        answer = await run_in_threadpool(state.add_checkpoint, body)
        log.info("witness.add_checkpoint", status=answer.status)
        return Response(answer.body, answer.status, media_type=answer.content_type)

    async def healthz(request: Request) -> Response:
        return Response(b"ok\n")

    return Starlette(
        routes=[
            Route("/add-checkpoint", add_checkpoint, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def serve(directory: Path, host: str, port: int) -> None:
    """Serve the witness kept in ``directory`` until stopped."""
    state = WitnessState(directory)
    if not state.logs:
        click.echo("warning: this witness trusts no log yet (sanarip-hub witness trust VKEY)", err=True)
    click.echo(f"witness {state.cosigner.name} on http://{host}:{port}/add-checkpoint")
    uvicorn.run(witness_app(state), host=host, port=port, log_level="warning", access_log=False)
