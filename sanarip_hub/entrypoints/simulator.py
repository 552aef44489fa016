"""The registry simulators (civil registry, address bureau, tax service) on one port, as
``sanarip-hub simulate`` runs them: in this process, or in worker processes that each build their
own from the options handed down in the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from adapters.asgi import ASGIApp
from mappings.address_codes import write_crosswalk
from sanarip_hub.entrypoints.environment import environment
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.simulator.app import build_simulator, parse_faults
from sanarip_hub.simulator.records import RegistryData, bureau_crosswalk
from sanarip_hub.storage.people import PeopleRegister

ENVIRONMENT = "SANARIP_SIMULATOR"  # how ``simulate --workers N`` hands its options to each worker


def from_environment() -> ASGIApp:
    """The app factory each worker process of ``simulate --workers N`` calls (uvicorn ``factory``)."""
    options = json.loads(environment()[ENVIRONMENT])
    hub = Hub(options["config"])
    data = RegistryData(PeopleRegister(hub.current_engine), options["rate"], options["seed"])
    data.preload()
    wsdl_dir = Path(options["wsdl_dir"]) if options.get("wsdl_dir") else None
    return build_simulator(data, parse_faults(options["faults"]), options["seed"] + os.getpid(), wsdl_dir)


def simulate(
    hub: Hub,
    port: int,
    host: str,
    discrepancy_rate: float,
    seed: int,
    faults: str,
    truth: Path | None,
    workers: int,
    crosswalk: Path | None = None,
    wsdl_dir: Path | None = None,
) -> None:
    """Serve until stopped; ``truth`` receives the labelled discrepancies as JSON Lines,
    ``crosswalk`` the address bureau's codes → СОАТЕ, as the bureau publishes them; ``wsdl_dir``
    holds providers' changed WSDLs (``zags-service.wsdl`` …) that ``getWsdl`` gives instead of ours."""
    import uvicorn

    try:
        rules = parse_faults(faults)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    data = RegistryData(PeopleRegister(hub.current_engine), discrepancy_rate, seed)
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
    if crosswalk is not None:
        settlements = PeopleRegister(hub.current_engine).settlements()
        count = write_crosswalk(crosswalk, bureau_crosswalk(settlements))
        click.echo(f"the address bureau's crosswalk ({count} codes) written to {crosswalk}")
    click.echo(f"simulating the civil registry and the tax service on http://{host}:{port}/")
    click.echo(
        f'point the hub at it: [xroad] security_server_url = "http://{host}:{port}/" '
        f"(or SANARIP_HUB_XROAD_SECURITY_SERVER_URL=http://{host}:{port}/)"
    )
    if workers > 1:  # each worker process loads the people itself (see from_environment)
        os.environ[ENVIRONMENT] = json.dumps(
            {
                "config": hub.config_file,
                "rate": discrepancy_rate,
                "seed": seed,
                "faults": faults,
                "wsdl_dir": None if wsdl_dir is None else str(wsdl_dir),
            }
        )
        uvicorn.run(
            f"{__name__}:from_environment", factory=True, workers=workers,
            host=host, port=port, log_level="warning", access_log=False, proxy_headers=False,
        )  # fmt: skip
        return
    uvicorn.run(
        build_simulator(data, rules, seed, wsdl_dir),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )
