"""The WSDL contract: committed file current, loadable by zeep and xmlschema, shaped as X-Road wants."""

from __future__ import annotations

import pytest
import zeep
from lxml import etree
from xmlschema.extras.wsdl import Wsdl11Document

from adapters.xroad.wsdl import WSDL_DIR, render_wsdl
from sanarip_hub.contracts import COMMITTED
from sanarip_hub.domain.contract import Contract
from sanarip_hub.domain.hub_contract import NAMESPACE, REST_SERVICES, SERVICES
from sanarip_hub.domain.xroad_identifiers import check_part

FILE = WSDL_DIR / "sanaripaymak.wsdl"

W = "{http://schemas.xmlsoap.org/wsdl/}"
XRD = "{http://x-road.eu/xsd/xroad.xsd}"
SOAP = "{http://schemas.xmlsoap.org/wsdl/soap/}"


@pytest.mark.parametrize(("file_name", "contract"), COMMITTED.items(), ids=list(COMMITTED))
def test_each_committed_wsdl_is_the_rendering_of_its_contract(file_name: str, contract: Contract) -> None:
    assert (WSDL_DIR / file_name).read_bytes() == render_wsdl(contract), (
        "run: python -m sanarip_hub.contracts"
    )


@pytest.mark.parametrize("file_name", list(COMMITTED))
def test_zeep_and_xmlschema_load_every_committed_wsdl(file_name: str) -> None:
    client = zeep.Client(str(WSDL_DIR / file_name))
    operations = client.service._binding._operations
    assert set(operations) == {s.code for s in COMMITTED[file_name].services}
    Wsdl11Document(str(WSDL_DIR / file_name))


def test_zeep_loads_it_from_disk_with_every_operation() -> None:
    client = zeep.Client(str(FILE))
    operations = client.service._binding._operations
    assert set(operations) == {s.code for s in SERVICES}
    assert not {s.code for s in REST_SERVICES} & set(operations)


def test_xmlschema_loads_it_and_validates_a_response() -> None:
    document = Wsdl11Document(str(FILE))
    binding = next(iter(document.bindings.values()))
    assert {name for name, _, _ in binding.operations} == {s.code for s in SERVICES}
    schema = document.schema.maps.namespaces[NAMESPACE][0]
    response = (
        f'<householdByPinResponse xmlns="{NAMESPACE}"><resultCode>OK</resultCode><accountNo>7</accountNo>'
        "<members><member><pin>21902196894353</pin><birthDate>1968-02-19</birthDate></member></members>"
        "<landHa>0.25</landHa></householdByPinResponse>"
    )
    assert schema.is_valid(response)
    assert not schema.is_valid(response.replace("<resultCode>OK", "<resultCode>MAYBE"))
    assert not schema.is_valid(response.replace("1968-02-19", "19.02.1968"))


def test_the_security_servers_wsdl_rules_hold() -> None:
    root = etree.fromstring(FILE.read_bytes())
    for operation in root.iter(f"{W}operation"):
        check_part(operation.get("name"), "serviceCode")  # allowed characters only
    for operation in root.find(f"{W}binding").iter(f"{W}operation"):
        version = operation.find(f"{XRD}version")
        assert version is not None
        check_part(version.text, "serviceVersion")
        assert operation.find(f"{W}input/{SOAP}body").get("use") == "literal"
        headers = [h.get("part") for h in operation.find(f"{W}input").iter(f"{SOAP}header")]
        assert {"client", "service", "id", "userId", "issue", "protocolVersion"} <= set(headers)
    for operation in root.find(f"{W}portType").iter(f"{W}operation"):
        languages = {
            t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in operation.iter(f"{XRD}title")
        }
        assert languages == {"ky", "ru", "en"}
        name = operation.get("name")
        assert operation.find(f"{W}input").get("message") == f"tns:{name}"
        assert operation.find(f"{W}output").get("message") == f"tns:{name}Response"
