"""The nightly jobs, built from settings: the registry consumers of each source, the scheduled job
function, and the scheduler that runs them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import click

from adapters.xroad.consumer import AsyncConsumer, CircuitBreaker, PreparedConsumer, RetryPolicy
from adapters.xroad.transport import Transport
from mappings.address_codes import Crosswalk
from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.config import Settings
from sanarip_hub.domain.codes import SyncSource
from sanarip_hub.domain.contract import Service
from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.verification import parallel_for
from sanarip_hub.log import get_logger
from sanarip_hub.storage.sync_runs import SyncRunTable
from sync_jobs.reconcile import Checker, RunReport

log = get_logger("sanarip_hub.scheduler")
DEFAULT_CROSSWALK = "address-crosswalk.csv"  # in the hub's home, where `simulate --crosswalk` writes it


class Declared(NamedTuple):
    """A consumed registry service: its WSDL (for zeep), the contract's operation and namespace."""

    wsdl: str
    operation: Service
    namespace: str


SOURCE_SERVICES: dict[SyncSource, tuple[str, ...]] = {  # each source's services, by [consumers] key
    SyncSource.CIVIL_REGISTRY: ("civil_registry", "address_bureau", "pin_search"),
    SyncSource.TAX: ("tax",),
}


def declared_services() -> dict[str, Declared]:
    """Every consumed registry service by its ``[consumers]`` key: our model of it."""
    from adapters.civil_registry.contract import (
        ASB_ADDRESS,
        INFOCOM,
        ZAGS_DATA_BY_PIN,
        ZAGS_PINS_BY_NSP_DATE,
    )
    from adapters.tax.contract import GNS_NAMESPACE, TP_DATA

    return {
        "civil_registry": Declared("zags-service.wsdl", ZAGS_DATA_BY_PIN, INFOCOM),
        "address_bureau": Declared("asb-service.wsdl", ASB_ADDRESS, INFOCOM),
        "pin_search": Declared("zags-service.wsdl", ZAGS_PINS_BY_NSP_DATE, INFOCOM),
        "tax": Declared("gns-service.wsdl", TP_DATA, GNS_NAMESPACE),
    }


ConsumerFactory = Callable[..., AsyncConsumer]
"""Builds a consumer: ``(declared, service, client, url, *, timeout, concurrency, policy)``."""


def prepared_consumer(transport: Transport | None = None) -> ConsumerFactory:
    """The one production consumer, over ``transport`` (default: kept-alive HTTP connections)."""

    def make(
        declared: Declared, service: ServiceId, client: ClientId, url: str, **options: Any
    ) -> AsyncConsumer:
        return PreparedConsumer(
            declared.operation, declared.namespace, service, client, url, transport=transport, **options
        )

    return make


def checker_for(
    settings: Settings,
    source: SyncSource,
    transport: Transport | None = None,
    clock: Clock = SYSTEM_CLOCK,
    consumer: ConsumerFactory | None = None,
) -> Checker:
    """The source's consumers as ``[consumers]`` configures them, sharing one circuit breaker.

    ``transport``: how the prepared consumers reach the security server (default: kept-alive HTTP
    connections to ``[xroad] security_server_url``; tests pass an in-process one).  ``consumer``:
    another consumer for the same calls (tests and ``bench/`` pass zeep's, the independent check);
    production runs the prepared one."""
    if consumer is not None and transport is not None:
        raise ValueError("pass a transport or a consumer factory, not both")
    make = consumer or prepared_consumer(transport)
    client = ClientId.parse(settings.xroad.subsystem)
    declared = declared_services()
    names = SOURCE_SERVICES[source]
    consumers_settings = settings.consumers
    policy = RetryPolicy(  # one policy and breaker for the source's services: one security server
        attempts=consumers_settings.attempts,
        breaker=CircuitBreaker(consumers_settings.breaker_threshold, consumers_settings.breaker_pause, clock),
        give_up_after=consumers_settings.breaker_give_up,
    )
    url = settings.xroad.security_server_url.rstrip("/") + "/"
    concurrency = settings.limits.sync_concurrency
    consumers: dict[str, AsyncConsumer] = {}
    for name in names:
        service = ServiceId.parse(getattr(settings.consumers, name))
        timeout = getattr(settings.consumers, f"{name}_timeout")
        consumers[name] = make(
            declared[name], service, client, url, timeout=timeout, concurrency=concurrency, policy=policy
        )
    return Checker(
        source, consumers, str(client), crosswalk_for(settings) if "address_bureau" in names else None
    )


def calling(settings: Settings, source: SyncSource) -> str:
    """Where a run with ``source`` calls, as the operator starting it should see: the services, the
    security server's URL and the client subsystem the calls are made as."""
    services = ", ".join(getattr(settings.consumers, name) for name in SOURCE_SERVICES[source])
    return (
        f"calling {services} through the security server at {settings.xroad.security_server_url}, "
        f"as {settings.xroad.subsystem}"
    )


def crosswalk_for(settings: Settings) -> Crosswalk | None:
    """The address bureau's crosswalk ``[consumers] address_crosswalk`` names (a named file must be
    there), else ``<home>/address-crosswalk.csv`` if present; None, logged, when there is none."""
    from mappings.address_codes import read_crosswalk

    named = settings.consumers.address_crosswalk
    path = named or settings.hub.home / DEFAULT_CROSSWALK
    if named is None and not path.exists():
        log.warning("sync.address_not_compared", reason="no address bureau crosswalk", path=str(path))
        return None
    return read_crosswalk(path)


def reconcile(
    hub: Hub,
    source: SyncSource,
    *,
    lsg_id: int | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    consumer: ConsumerFactory | None = None,
) -> RunReport:
    """Run (or resume an interrupted) reconciliation with ``source`` on ``hub``'s database: the
    command line's ``sync run``, the scheduler's job, the tests' and the benchmark's runs."""
    from sanarip_hub.ledger.store import Ledger
    from sync_jobs.reconcile import run_sync

    settings, engine = hub.settings, hub.engine
    return run_sync(
        SyncRunTable(engine),
        Ledger.for_settings(engine, settings),
        checker_for(settings, source, consumer=consumer),
        lsg_id=lsg_id,
        limit=limit,
        concurrency=settings.limits.sync_concurrency,
        chunk=settings.limits.sync_chunk,
        progress=progress,
    )


def run_scheduled(source: str) -> None:
    """The scheduler's job (a module-level function: the job store keeps a reference to it):
    a reconciliation with ``source`` (skipped, with ``[schedule] skip_drifted``, while the source's
    contract has drifted), the consumed services' contract check, or the ledger's full verification."""
    from sanarip_hub.entrypoints.contracts_check import check_contracts, drifted_sources
    from sanarip_hub.ledger.verify import verify_and_record
    from sync_jobs.scheduler import CONTRACTS_CHECK, LEDGER_VERIFY

    hub = Hub()
    try:
        if source == LEDGER_VERIFY:
            verify_and_record(hub.engine, hub.settings, "scheduler", parallel_for(hub.settings))
            return
        if source == CONTRACTS_CHECK:
            check_contracts(hub, actor="scheduler")
            return
        drifted = drifted_sources(hub).get(SyncSource(source)) if hub.settings.schedule.skip_drifted else None
        if drifted:  # a night of false mismatches is worse than a night without a run
            log.warning("scheduler.skipped_drifted", source=source, services=drifted)
            return
        reconcile(hub, SyncSource(source))
    finally:
        hub.close()


def run_scheduler(hub: Hub, show_next: bool) -> None:
    """Run the scheduled jobs while this instance holds the acting lock (``show_next``: list them)."""
    from datetime import UTC, datetime

    from sanarip_hub.storage.acting_lock import acting_lock
    from sync_jobs.scheduler import build_scheduler

    engine = hub.current_engine
    jobs = build_scheduler(engine, hub.settings, run_scheduled)
    if show_next:
        now = datetime.now(UTC)
        for job in jobs.get_jobs():
            click.echo(f"{job.id}: next run {job.trigger.get_next_fire_time(None, now).isoformat()}")
        return
    settings = hub.settings
    with acting_lock(engine, settings, settings.schedule.join_every, partial(join_live_runs, hub)):
        click.echo("scheduler acting; jobs: " + ", ".join(job.id for job in jobs.get_jobs()))
        jobs.start()


def join_live_runs(hub: Hub) -> None:
    """What a standby scheduler does while another instance acts: work the chunks of any run that
    is live, so the nightly reconciliation spreads over every host that is up."""
    from datetime import UTC, datetime

    from sanarip_hub.errors import ConsumerError

    for source, lsg_id in SyncRunTable(hub.engine).live(datetime.now(UTC)):
        try:
            report = reconcile(hub, source, lsg_id=lsg_id)
        except ConsumerError as exc:  # the registry went down: the run's owner reports it
            log.warning("scheduler.join_stopped", source=source.value, error=str(exc))
            continue
        log.info("scheduler.joined", source=source.value, run_id=report.run_id, checked=report.checked)
