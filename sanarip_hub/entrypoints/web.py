"""The web applications, built from settings: the producer (SOAP + REST r1), the console, ``/metrics``
and ``/readyz``, each mountable on a listener of its own, and ``serve``, which runs them under uvicorn.

:func:`hub_components` is where the producer's parts meet: the hub database's engine, the
agreement book, the certificate signer, the usage report, the dispatcher and the group-commit
ledger writer; :func:`~adapters.xroad.producer.app.build_app` only routes requests to them.
"""

from __future__ import annotations

import errno
import gc
import resource
import socket
import ssl
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from anyio import to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from adapters.asgi import ASGIApp
from adapters.xroad.producer.app import Components, build_app
from adapters.xroad.producer.http_limits import HttpLimits
from adapters.xroad.producer.rest import RestEndpoint
from adapters.xroad.producer.soap import SoapEndpoint
from sanarip_hub.config import Settings
from sanarip_hub.domain.exchange import Exchange
from sanarip_hub.domain.xroad_identifiers import ClientId
from sanarip_hub.entrypoints.environment import configure_logging, export_config_file, read_settings
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.verification import parallel_for
from sanarip_hub.errors import ListenError
from sanarip_hub.log import get_logger
from sanarip_hub.storage.agreements import AgreementTable

log = get_logger("sanarip_hub.serve")
PROTOCOL = "adapters.xroad.producer.http_limits:GuardedHttpProtocol"


def http_limits(settings: Settings) -> HttpLimits:
    """``[limits]`` for the HTTP listener; connections stay below this process's descriptor limit."""
    limits = settings.limits
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    ceiling = (
        limits.max_connections if soft == resource.RLIM_INFINITY else min(limits.max_connections, soft - 64)
    )
    return HttpLimits(
        max_header_bytes=limits.max_header_bytes,
        header_timeout=limits.header_timeout,
        body_timeout=limits.body_timeout,
        max_connections=max(1, ceiling),
        max_in_flight=limits.max_in_flight,
    )


def console_routes(
    engine: Any, settings: Settings, keys: Any, record: Callable[[Exchange], Future[int]]
) -> list[BaseRoute]:
    """The console, ``/metrics`` and ``/readyz``: mounted beside the producer, or on their own
    listener (``[console] listen``) so that the X-Road port serves X-Road only."""
    from adapters.xroad.globalconf import MemberNames
    from sanarip_hub.console.app import Console, readiness
    from sanarip_hub.metrics import CONTENT_TYPE as METRICS_TYPE
    from sanarip_hub.metrics import metrics_registry, render
    from sanarip_hub.storage.metrics_queries import MetricsReader

    shared_params = settings.xroad.shared_params and settings.home_path(settings.xroad.shared_params)
    from adapters.civil_registry.contract import ASB_CONTRACT, ZAGS_CONTRACT
    from adapters.tax.contract import GNS_CONTRACT

    console = Console(
        engine,
        settings,
        keys,
        record,
        parallel=parallel_for(settings),
        names=MemberNames(shared_params),
        called_titles={
            service.code: service.title
            for contract in (ZAGS_CONTRACT, ASB_CONTRACT, GNS_CONTRACT)
            for service in contract.services
        },
    )
    registry = metrics_registry(MetricsReader(engine), settings)

    async def metrics(request: Request) -> Response:
        return Response(await to_thread.run_sync(render, registry), media_type=METRICS_TYPE)

    async def readyz(request: Request) -> Response:
        checks = await to_thread.run_sync(readiness, engine, keys, True)
        ready = all(check.ok for check in checks)
        body = {
            "status": "ready" if ready else "not ready",
            "checks": {check.name: {"ok": check.ok, "detail": check.english()} for check in checks},
        }
        return JSONResponse(body, 200 if ready else 503)

    return [
        Mount("/console", routes=console.routes()),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]


def hub_components(settings: Settings, part: str = "all") -> Components:
    """The real web app: hub database, agreements, certificate signer, group-commit ledger.

    ``part``: ``all`` (producer with the console beside it), ``producer`` (X-Road only) or
    ``console`` (the console, /metrics and /readyz, for their own listener)."""
    from adapters.xroad.certificate import CertificateSigner
    from adapters.xroad.globalconf import MemberNames
    from sanarip_hub.ledger.keys import load_keys
    from sanarip_hub.ledger.query import SubjectUsage
    from sanarip_hub.ledger.store import Ledger
    from sanarip_hub.ledger.writer import GroupCommitWriter
    from sanarip_hub.producer.agreements import AgreementBook
    from sanarip_hub.producer.dispatch import Dispatcher
    from sanarip_hub.producer.usage_report import UsageReport
    from sanarip_hub.storage.certificates import CertificateRegister
    from sanarip_hub.storage.engine import make_engine
    from sanarip_hub.storage.migrate import require_current
    from sanarip_hub.storage.service_data import HubData

    engine = make_engine(settings, pre_ping=False, max_overflow=0)
    require_current(engine)
    # the household cards and the ledger append: fixed key lookups, planned once per connection
    # (PostgreSQL only; SQLite has no plan cache to set, so its one engine serves them)
    planned_once = (
        make_engine(settings, pre_ping=False, max_overflow=0, check=False, plan_once=True)
        if engine.dialect.name == "postgresql"
        else engine
    )
    keys = load_keys(settings)
    signer = CertificateSigner.load(settings)
    writer = GroupCommitWriter(Ledger.for_settings(planned_once, settings, keys))
    provider = ClientId.parse(settings.xroad.subsystem)
    book = AgreementBook(
        AgreementTable(engine), settings.producer.agreement_cache_seconds, settings.hub.timezone
    )
    names = MemberNames(settings.xroad.shared_params and settings.home_path(settings.xroad.shared_params))
    usage = UsageReport(SubjectUsage(engine, keys.pin_key), book.terms, names, settings.hub.timezone)
    dispatcher = Dispatcher(
        HubData(engine, cards=planned_once),
        book,
        signer,
        usage,
        register=CertificateRegister(engine),
        zone=ZoneInfo(settings.hub.timezone),
    )

    threads = request_threads(settings, engine.dialect.name, engine.url.host)

    def close() -> None:
        writer.close()
        if planned_once is not engine:
            planned_once.dispose()
        engine.dispose()

    return Components(
        soap=SoapEndpoint(
            dispatcher,
            provider,
            settings.limits.max_body_bytes,
            settings.limits.max_xml_depth,
            keys.pin_key.message_digest,
        ),
        rest=RestEndpoint(
            dispatcher, provider, keys.pin_key.message_digest, settings.producer.rest_no_household
        ),
        provider=provider,
        max_bytes=settings.limits.max_body_bytes,
        record=writer.submit_async,
        expecting=writer.expecting,
        close=close,
        routes=console_routes(engine, settings, keys, writer.submit) if part != "producer" else [],
        threads=threads,
        limits=http_limits(settings),
        x_road=part != "console",
        blocking=threads > 0,
    )


LOCAL_HOSTS = frozenset(("", "localhost", "127.0.0.1", "::1"))  # "": a Unix socket


def request_threads(settings: Settings, dialect: str, host: str | None = None) -> int:
    """Threads for requests' database work (``[producer] request_threads``); 0: on the event loop.

    When the database is on this host (SQLite, a library call; PostgreSQL over a Unix socket or
    loopback) a batch's database work is short, and handing it to a thread and back only adds
    wake-ups and contention for the interpreter.  A database across a network keeps each batch
    waiting for round trips, which a pool overlaps while the loop gathers the next batch: the pool
    size less one (one connection stays free for the ledger writer; batches beyond wait in the loop)."""
    chosen = settings.producer.request_threads
    if chosen != "auto":
        return int(chosen)
    if dialect != "postgresql" or (host or "") in LOCAL_HOSTS:
        return 0
    return max(1, settings.database.pool_size - 1)


def settled(app: ASGIApp) -> ASGIApp:
    """``app`` after moving everything built so far (modules, compiled statements, the contract) out
    of the garbage collector's sight (:func:`gc.freeze`): a full collection then walks only what
    requests create.  Without it a worker's full collections paused it for up to 65 ms under load,
    and p99 at 64 connections was 116–124 ms against 77–84 ms with it (bench/producer.py, PostgreSQL)."""
    gc.collect()
    gc.freeze()
    return app


def create_app() -> ASGIApp:
    """The uvicorn factory each worker process calls (settings from the environment and config file):
    the producer, with the console beside it unless ``[console] listen`` gives it its own listener."""
    settings = read_settings()
    configure_logging(settings)
    return settled(build_app(hub_components(settings, "producer" if settings.console.listen else "all")))


def create_console_app() -> ASGIApp:
    """The uvicorn factory of the console's own listener (``[console] listen``)."""
    settings = read_settings()
    configure_logging(settings)
    return settled(build_app(hub_components(settings, "console")))


def check_port(host: str, port: int) -> None:
    """Refuse, in one line and before anything says "serving", an address the server cannot listen
    on (uvicorn would log a traceback-like error from each worker and exit 1 after the banner)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is fine
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ListenError(
                    f"port {port} on {host} is in use: stop what holds it or give --port"
                ) from None
            raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(hub: Hub, host: str | None, port: int | None, workers: int | None) -> None:
    """Run the producer under uvicorn (``workers`` processes, each calling :func:`create_app`), and
    the console on its own listener when ``[console] listen`` says so."""
    import uvicorn

    from sanarip_hub.entrypoints.balanced_accept import BOARD_FILE, BalancedConfig, run_balanced

    settings = hub.settings
    hub_components(settings).close()  # fail here, with one clear line, on a missing key or old schema
    producer = settings.producer
    export_config_file(hub.config_file)  # the workers read it too
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
    check_port(host, port)
    if settings.console.listen:
        console_address = settings.console.listen.rpartition(":")
        check_port(console_address[0], int(console_address[2]))
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
                f"{__name__}:create_console_app",
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
    app = f"{__name__}:create_app"
    if workers > 1:  # connections dealt to the least busy worker (see balanced_accept)
        board = settings.home_path(Path(BOARD_FILE))
        run_balanced(BalancedConfig(app, board, host=host, port=port, workers=workers, **common, **tls))
    else:
        uvicorn.run(app, host=host, port=port, **common, **tls)
