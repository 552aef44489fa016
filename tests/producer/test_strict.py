"""Strict identifiers and encodings: refused, never repaired (issue 11 §4).

The review found ``<id:memberCode>70000003<b>x</b>9</id:memberCode>`` read as ``70000003`` (the
Social Fund's code) and answered; repeated, out-of-order and unknown identifier parts and Unicode
white space were repaired; REST took the first of two ``X-Road-Client`` headers where the security
server takes the last.  Each now gets its fault, one ledger entry, and no data.  (Comments are
dropped everywhere by the one parser, as a security server's DOM reading drops them, so
``7000<!-- -->0003`` is 70000003 to both: that is reading, not repairing.)
"""

from __future__ import annotations

import httpx
import pytest

from tests.producer.conftest import Served, envelope, fault_code, pin_body, post
from tests.producer.test_rest import rest_headers

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

CLIENT = "<id:memberCode>70000003</id:memberCode>"
SERVICE = "<id:serviceCode>householdByPin</id:serviceCode>"
VERSION = "<id:serviceVersion>v1</id:serviceVersion>"


def good(served: Served) -> str:
    return envelope("householdByPin", pin_body("householdByPin", served.pins()[0])).decode()


CASES = [
    # name, (old, new) replacement in the good request, expected fault
    ("element inside memberCode", (CLIENT, "<id:memberCode>70000003<b>x</b>9</id:memberCode>"),
     "Client.InvalidClientIdentifier"),
    ("memberCode repeated", (CLIENT, CLIENT + "<id:memberCode>70000099</id:memberCode>"),
     "Client.InvalidClientIdentifier"),
    ("memberCode before memberClass",
     ("<id:memberClass>GOV</id:memberClass>" + CLIENT, CLIENT + "<id:memberClass>GOV</id:memberClass>"),
     "Client.InvalidClientIdentifier"),
    ("unknown identifier part", (CLIENT, CLIENT + "<id:colour>red</id:colour>"),
     "Client.InvalidClientIdentifier"),
    ("foreign element in the client", (CLIENT, CLIENT + "<other xmlns='urn:x'>1</other>"),
     "Client.InvalidClientIdentifier"),
    ("no-break space after memberCode", (CLIENT, "<id:memberCode>70000003\u00a0</id:memberCode>"),
     "Client.InvalidClientIdentifier"),
    ("em space before memberCode", (CLIENT, "<id:memberCode>\u200370000003</id:memberCode>"),
     "Client.InvalidClientIdentifier"),
    ("element inside serviceCode", (SERVICE, "<id:serviceCode>householdByPin<i/></id:serviceCode>"),
     "Client.InvalidServiceIdentifier"),
    ("serviceCode repeated", (SERVICE, SERVICE + SERVICE), "Client.InvalidServiceIdentifier"),
    ("serviceVersion before serviceCode", (SERVICE + VERSION, VERSION + SERVICE),
     "Client.InvalidServiceIdentifier"),
    ("element inside the message id", ("<xrd:id>", "<xrd:id><b>1</b>"), "Client.InvalidXml"),
    ("element inside userId", ("<xrd:userId>", "<xrd:userId><b>1</b>"), "Client.InvalidXml"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_identifiers_are_read_strictly(
    served: Served, name: str, change: tuple[str, str], expected: str
) -> None:
    text = good(served)
    assert change[0] in text
    before = served.ledger_size()
    response = post(served, text.replace(change[0], change[1], 1).encode("utf-8"))
    assert fault_code(response) == expected, response.text
    assert b"householdByPinResponse" not in response.content
    assert served.ledger_size() == before + 1
    assert served.last_entries()[0].outcome == expected


DECLARED = [
    ("after a byte-order mark", b"\xef\xbb\xbf", '<?xml version="1.0" encoding="UTF-16"?>'),
    ("far into the declaration", b"", '<?xml version="1.0"' + " " * 200 + 'encoding="UTF-16"?>'),
    ("in single quotes", b"", "<?xml version='1.0' encoding='utf-32'?>"),
    ("with spaces around =", b"", '<?xml version="1.0" encoding = "UTF-16LE"?>'),
]


@pytest.mark.parametrize(("name", "bom", "declaration"), DECLARED, ids=[d[0] for d in DECLARED])
def test_a_declared_utf16_or_utf32_body_is_refused(
    served: Served, name: str, bom: bytes, declaration: str
) -> None:
    text = good(served).replace('<?xml version="1.0" encoding="UTF-8"?>', declaration, 1)
    response = post(served, bom + text.encode("utf-8"))
    assert fault_code(response) == "Client.InvalidXml", response.text
    assert "encoding" in response.text


def test_a_repeated_x_road_header_is_refused_not_guessed(served: Served) -> None:
    pin = served.pins()[0]
    headers = list(rest_headers().items())
    for name in ("X-Road-Client", "X-Road-Id", "X-Road-UserId", "X-Road-Issue"):
        value = dict(headers)[name]
        extra = "central-server/GOV/70000099/other" if name == "X-Road-Client" else value + "-2"
        before = served.ledger_size()
        response = httpx.get(
            f"{served.url}/rest/address-fact/{pin}", headers=[*headers, (name, extra)], timeout=30
        )
        assert response.status_code == 400, (name, response.text)
        assert response.headers["x-road-error"] == "Client.DuplicateHeaderField"
        assert name in response.json()["message"]
        assert served.ledger_size() == before + 1
