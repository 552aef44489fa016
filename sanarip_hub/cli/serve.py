"""``sanarip-hub serve``: run the X-Road producer (SOAP and REST) under uvicorn."""

from __future__ import annotations

import os
import ssl
import threading
from typing import Any

import click

from sanarip_hub.cli.context import HubContext, pass_hub
from sanarip_hub.log import get_logger

log = get_logger("sanarip_hub.cli")
PROTOCOL = "sanarip_hub.producer.http_limits:GuardedHttpProtocol"


@click.command()
@click.option("--host", help="Listen address (default: producer.host).")
@click.option("--port", type=click.IntRange(0, 65535), help="Listen port (default: producer.port).")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (default: producer.workers).")
@pass_hub
def serve(hub: HubContext, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the X-Road producer: POST /xroad (SOAP), GET /xroad?wsdl, /wsdl, /rest/…

    With producer.tls_cert and tls_key set it speaks HTTPS; with tls_client_ca too, the security
    server's client certificate is required (mutual TLS).  With console.listen set, the console,
    /metrics and /readyz get a listener of their own (plain HTTP, meant for the internal network)
    and the X-Road port serves X-Road only.
    """
    import uvicorn

    from sanarip_hub.producer.app import hub_components

    settings = hub.settings
    hub_components(settings).close()  # fail here, with one clear line, on a missing key or old schema
    producer = settings.producer
    if hub.config_file:
        os.environ["SANARIP_HUB_CONFIG"] = os.path.abspath(hub.config_file)  # the workers read it too
    tls: dict[str, Any] = {}
    if producer.tls_cert is not None and producer.tls_key is not None:
        tls = {
            "ssl_certfile": str(settings.home_path(producer.tls_cert)),
            "ssl_keyfile": str(settings.home_path(producer.tls_key)),
        }
        if producer.tls_client_ca is not None:
            tls["ssl_ca_certs"] = str(settings.home_path(producer.tls_client_ca))
            tls["ssl_cert_reqs"] = ssl.CERT_REQUIRED
    host = host or producer.host
    port = producer.port if port is None else port
    workers = workers or producer.workers
    scheme = "https" if tls else "http"
    log.info(
        "producer.start",
        url=f"{scheme}://{host}:{port}/xroad",
        workers=workers,
        mutual_tls="ssl_ca_certs" in tls,
    )
    click.echo(
        f"serving {scheme}://{host}:{port}/xroad (WSDL: /xroad?wsdl, REST: /rest/…) with {workers} worker(s)"
    )
    common: dict[str, Any] = {
        "factory": True,
        "log_level": "warning",
        "access_log": False,
        "http": PROTOCOL,
        "loop": "uvloop",
        "timeout_graceful_shutdown": 10,
        "timeout_keep_alive": settings.limits.idle_timeout,
    }
    if settings.console.listen:
        console_host, _, console_port = settings.console.listen.rpartition(":")
        console = uvicorn.Server(
            uvicorn.Config(
                "sanarip_hub.producer.app:create_console_app",
                host=console_host.strip("[]"),
                port=int(console_port),
                **common,
            )
        )
        threading.Thread(target=console.run, name="console-listener", daemon=True).start()
        log.info("console.start", url=f"http://{settings.console.listen}/console/")
        click.echo(
            f"console, /metrics and /readyz: http://{settings.console.listen}/ (not on the X-Road port)"
        )
    uvicorn.run("sanarip_hub.producer.app:create_app", host=host, port=port, workers=workers, **common, **tls)
