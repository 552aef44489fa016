"""The nightly jobs, built from settings: the registry consumers of each source, the scheduled job
function, and the scheduler that runs them."""

from __future__ import annotations

from pathlib import Path

import click

from adapters.xroad.transport import Transport
from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.config import Settings
from sanarip_hub.domain.codes import SyncSource
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.verification import parallel_for
from sanarip_hub.storage.sync_runs import SyncRunTable
from sync_jobs.reconcile import Checker


def checker_for(
    settings: Settings, source: SyncSource, transport: Transport | None = None, clock: Clock = SYSTEM_CLOCK
) -> Checker:
    """The source's consumers as ``[consumers]`` configures them, sharing one circuit breaker.

    ``transport``: how the prepared consumers reach the security server (default: kept-alive HTTP
    connections to ``[xroad] security_server_url``; tests pass an in-process one)."""
    from functools import partial

    from adapters.civil_registry.contract import ASB_ADDRESS, INFOCOM, ZAGS_DATA_BY_PIN
    from adapters.tax.contract import GNS_NAMESPACE, TP_DATA
    from adapters.xroad.consumer import (
        AsyncConsumer,
        AsyncZeepConsumer,
        CircuitBreaker,
        PreparedConsumer,
        RetryPolicy,
    )
    from adapters.xroad.wsdl import WSDL_DIR
    from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
    from sync_jobs.reconcile import Checker

    client = ClientId.parse(settings.xroad.subsystem)
    declared = {  # name: (WSDL for zeep, the contract's operation, its namespace)
        "civil_registry": ("zags-service.wsdl", ZAGS_DATA_BY_PIN, INFOCOM),
        "address_bureau": ("asb-service.wsdl", ASB_ADDRESS, INFOCOM),
        "tax": ("gns-service.wsdl", TP_DATA, GNS_NAMESPACE),
    }
    names = ("civil_registry", "address_bureau") if source is SyncSource.CIVIL_REGISTRY else ("tax",)
    consumers_settings = settings.consumers
    policy = RetryPolicy(  # one policy and breaker for the source's services: one security server
        attempts=consumers_settings.attempts,
        breaker=CircuitBreaker(consumers_settings.breaker_threshold, consumers_settings.breaker_pause, clock),
        give_up_after=consumers_settings.breaker_give_up,
    )
    url = settings.xroad.security_server_url.rstrip("/") + "/"
    concurrency = settings.limits.sync_concurrency
    consumers: dict[str, AsyncConsumer] = {}
    if transport is not None and consumers_settings.client == "zeep":
        raise ValueError("an in-process transport is for the prepared consumer; zeep brings its own")
    for name in names:
        wsdl, operation, namespace = declared[name]
        service = ServiceId.parse(getattr(settings.consumers, name))
        timeout = getattr(settings.consumers, f"{name}_timeout")
        make = (
            partial(AsyncZeepConsumer, Path(WSDL_DIR / wsdl))
            if consumers_settings.client == "zeep"
            else partial(PreparedConsumer, operation, namespace, transport=transport)
        )
        consumers[name] = make(service, client, url, timeout=timeout, concurrency=concurrency, policy=policy)
    return Checker(source, consumers, str(client))


def run_scheduled(source: str) -> None:
    """The scheduler's job (a module-level function: the job store keeps a reference to it):
    a reconciliation with ``source``, or the ledger's full verification."""
    from sanarip_hub.ledger.store import Ledger
    from sanarip_hub.ledger.verify import verify_and_record
    from sync_jobs.reconcile import run_sync
    from sync_jobs.scheduler import LEDGER_VERIFY

    hub = Hub()
    settings, engine = hub.settings, hub.engine
    try:
        if source == LEDGER_VERIFY:
            verify_and_record(engine, settings, "scheduler", parallel_for(settings))
            return
        checker = checker_for(settings, SyncSource(source))
        ledger = Ledger.for_settings(engine, settings)
        run_sync(
            SyncRunTable(engine),
            ledger,
            checker,
            concurrency=settings.limits.sync_concurrency,
            chunk=settings.limits.sync_chunk,
        )
    finally:
        hub.close()


def run_scheduler(hub: Hub, show_next: bool) -> None:
    """Run the scheduled jobs while this instance holds the acting lock (``show_next``: list them)."""
    from datetime import UTC, datetime

    from sync_jobs.scheduler import acting_lock, build_scheduler

    engine = hub.current_engine
    jobs = build_scheduler(engine, hub.settings, run_scheduled)
    if show_next:
        now = datetime.now(UTC)
        for job in jobs.get_jobs():
            click.echo(f"{job.id}: next run {job.trigger.get_next_fire_time(None, now).isoformat()}")
        return
    with acting_lock(engine, hub.settings):
        click.echo("scheduler acting; jobs: " + ", ".join(job.id for job in jobs.get_jobs()))
        jobs.start()
