"""``sanarip-hub serve``: run the X-Road producer (SOAP and REST) under uvicorn."""

from __future__ import annotations

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.entrypoints.hub import Hub


@click.command()
@click.option("--host", help="Listen address (default: producer.host).")
@click.option("--port", type=click.IntRange(0, 65535), help="Listen port (default: producer.port).")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (default: producer.workers).")
@pass_hub
def serve(hub: Hub, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the X-Road producer: POST /xroad (SOAP), GET /xroad?wsdl, /wsdl, /rest/…

    With producer.tls_cert and tls_key set it speaks HTTPS; with tls_client_ca too, the security
    server's client certificate is required (mutual TLS).  With console.listen set, the console,
    /metrics and /readyz get a listener of their own (plain HTTP, meant for the internal network)
    and the X-Road port serves X-Road only.
    """
    from sanarip_hub.entrypoints.web import serve as serve_web

    serve_web(hub, host, port, workers)
