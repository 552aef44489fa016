"""Every WSDL committed in ``wsdl/``, with the contract it is rendered from.

``python -m sanarip_hub.contracts`` regenerates them all; a test keeps each file equal to its
rendering, so the committed contracts are always the ones the code speaks.
"""

from __future__ import annotations

from adapters.civil_registry.contract import ASB_CONTRACT, ZAGS_CONTRACT
from adapters.tax.contract import GNS_CONTRACT
from adapters.xroad.wsdl import WSDL_DIR, render_wsdl
from sanarip_hub.domain.contract import Contract
from sanarip_hub.domain.hub_contract import CONTRACT as PRODUCER_CONTRACT

COMMITTED: dict[str, Contract] = {
    "sanaripaymak.wsdl": PRODUCER_CONTRACT,
    "zags-service.wsdl": ZAGS_CONTRACT,
    "asb-service.wsdl": ASB_CONTRACT,
    "gns-service.wsdl": GNS_CONTRACT,
}

if __name__ == "__main__":
    for file_name, contract in COMMITTED.items():
        (WSDL_DIR / file_name).write_bytes(render_wsdl(contract))
        print(f"wsdl/{file_name}")
