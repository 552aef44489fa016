"""Every WSDL committed in ``wsdl/``, with the contract it is rendered from, and the typed records
generated from the same contracts (``sanarip_hub/domain/records.py``).

``python -m sanarip_hub.contracts`` regenerates them all; a test keeps each file equal to its
rendering, so the committed contracts and record types are always the ones the code speaks.
"""

from __future__ import annotations

from pathlib import Path

from adapters.civil_registry.contract import ASB_CONTRACT, ZAGS_CONTRACT
from adapters.tax.contract import GNS_CONTRACT
from adapters.xroad.wsdl import WSDL_DIR, render_wsdl
from sanarip_hub.domain.contract import Contract, render_record_types
from sanarip_hub.domain.hub_contract import CONTRACT as PRODUCER_CONTRACT
from sanarip_hub.domain.hub_contract import REST_SERVICES

COMMITTED: dict[str, Contract] = {
    "sanaripaymak.wsdl": PRODUCER_CONTRACT,
    "zags-service.wsdl": ZAGS_CONTRACT,
    "asb-service.wsdl": ASB_CONTRACT,
    "gns-service.wsdl": GNS_CONTRACT,
}

RECORDS = Path(__file__).parent / "domain" / "records.py"
RECORDS_HEADER = '''"""Typed records of every service answer, generated from the contracts by
``python -m sanarip_hub.contracts`` (do not edit by hand; a test keeps this file equal to its
rendering).

A ``<Service>Record`` is the answer of one service as a mapping from the contract's element names
to values: what the prepared consumer's reader and zeep's converted answer deliver for a registry
service, and what a handler hands the renderer for one of the hub's own services.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TypedDict
'''


def render_records() -> str:
    """The source of ``sanarip_hub/domain/records.py``."""
    rest = Contract(PRODUCER_CONTRACT.name + " REST", PRODUCER_CONTRACT.namespace, "r1", REST_SERVICES, "")
    return render_record_types((*COMMITTED.values(), rest), RECORDS_HEADER)


if __name__ == "__main__":
    RECORDS.write_text(render_records(), encoding="utf-8")
    print("sanarip_hub/domain/records.py")
    for file_name, contract in COMMITTED.items():
        (WSDL_DIR / file_name).write_bytes(render_wsdl(contract))
        print(f"wsdl/{file_name}")
