"""``sanarip-hub simulate``: the civil registry and the tax service as real X-Road providers."""

from __future__ import annotations

from pathlib import Path

import click

from sanarip_hub.cli.context import pass_hub
from sanarip_hub.entrypoints.hub import Hub


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), required=True, help="Port on 127.0.0.1.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--discrepancy-rate", type=click.FloatRange(0, 1), default=0.05, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Decides who differs, and faults.")
@click.option(
    "--faults", default="", help="kind[=arg]@probability,… (latency, timeout, fault, http500, malformed)"
)
@click.option(
    "--truth", type=click.Path(dir_okay=False, path_type=Path), help="Write the labels as JSON Lines."
)
@click.option(
    "--crosswalk",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the address bureau's crosswalk (its codes → СОАТЕ) here; the hub reads "
    "[consumers] address_crosswalk, by default <home>/address-crosswalk.csv.",
)
@click.option(
    "--wsdl-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Providers' WSDLs (zags-service.wsdl, asb-service.wsdl, gns-service.wsdl) that getWsdl "
    "and listMethods answer instead of the hub's models: a provider whose contract changed.",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@pass_hub
def simulate(
    hub: Hub,
    port: int,
    host: str,
    discrepancy_rate: float,
    seed: int,
    faults: str,
    truth: Path | None,
    crosswalk: Path | None,
    wsdl_dir: Path | None,
    workers: int,
) -> None:
    """Serve zagsDataByPin, zagsPinsByNSPDate, asbAddress and tpDataByINNforBusinessActivity on one
    port, routed by the X-Road service header as a security server does, from the hub's people with
    labelled discrepancies injected; and the metaservices listMethods and getWsdl."""
    from sanarip_hub.entrypoints.simulator import simulate as run_simulators

    run_simulators(hub, port, host, discrepancy_rate, seed, faults, truth, workers, crosswalk, wsdl_dir)
