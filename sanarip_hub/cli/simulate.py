"""``sanarip-hub simulate``: the civil registry and the tax service as real X-Road providers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from sanarip_hub.cli.context import HubContext, pass_hub


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
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@pass_hub
def simulate(
    hub: HubContext,
    port: int,
    host: str,
    discrepancy_rate: float,
    seed: int,
    faults: str,
    truth: Path | None,
    workers: int,
) -> None:
    """Serve zagsDataByPin, asbAddress and tpDataByINNforBusinessActivity on one port, routed by
    the X-Road service header as a security server does, from the hub's people with labelled
    discrepancies injected."""
    import uvicorn

    from sanarip_hub.simulator.app import ENVIRONMENT, build_simulator, parse_faults
    from sanarip_hub.simulator.records import RegistryData

    try:
        rules = parse_faults(faults)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    data = RegistryData(hub.current_engine, discrepancy_rate, seed)
    if workers == 1:
        data.preload()  # read the people once: for the truth labels and for every answer
    if truth is not None:
        truth.parent.mkdir(parents=True, exist_ok=True)
        count = 0
        with truth.open("w", encoding="utf-8") as handle:
            for found in data.truth():
                handle.write(json.dumps(found.label(), ensure_ascii=False) + "\n")
                count += 1
        click.echo(f"{count} injected discrepancies written to {truth}")
    click.echo(f"simulating the civil registry and the tax service on http://{host}:{port}/")
    if workers > 1:  # each worker process loads the people itself (see from_environment)
        os.environ[ENVIRONMENT] = json.dumps(
            {"config": hub.config_file, "rate": discrepancy_rate, "seed": seed, "faults": faults}
        )
        uvicorn.run(
            "sanarip_hub.simulator.app:from_environment", factory=True, workers=workers,
            host=host, port=port, log_level="warning", access_log=False, proxy_headers=False,
        )  # fmt: skip
        return
    uvicorn.run(
        build_simulator(data, rules, seed),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )
