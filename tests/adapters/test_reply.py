"""Reading registry replies against the contract: values, faults in both spellings, hostile bodies."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.civil_registry.contract import ASB_ADDRESS, INFOCOM, ZAGS_DATA_BY_PIN
from adapters.xroad.reply import ReplyReader
from sanarip_hub.errors import ConsumerError

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
HEADER = '<S:Header><x:id xmlns:x="http://x-road.eu/xsd/xroad.xsd">m-1</x:id></S:Header>'


def envelope(body: str, header: str = HEADER) -> bytes:
    return f'<S:Envelope xmlns:S="{ENV}">{header}<S:Body>{body}</S:Body></S:Envelope>'.encode()


def zags(inner: str) -> bytes:
    return envelope(f'<p:zagsDataByPinResponse xmlns:p="{INFOCOM}">{inner}</p:zagsDataByPinResponse>')


def test_values_are_typed_by_the_contract_and_unknown_elements_ignored() -> None:
    reader = ReplyReader(ZAGS_DATA_BY_PIN)
    values = reader.read(
        zags(
            "<p:pin>12345678901234</p:pin><p:name> Айгүл </p:name><p:maritalStatus>2</p:maritalStatus>"
            "<p:pinBlocked>1</p:pinBlocked><p:dateOfBirth>1990-02-03Z</p:dateOfBirth><p:deathDate/>"
            "<p:somethingNew>x</p:somethingNew>"
        ),
        "m-1",
    )
    assert values == {
        "pin": "12345678901234",
        "name": " Айгүл ",  # strings are kept as sent: normalising is the mapping's job
        "maritalStatus": 2,
        "pinBlocked": True,
        "dateOfBirth": date(1990, 2, 3),
        "deathDate": None,
    }


def test_records_nest() -> None:
    body = (
        f'<a:asbAddressResponse xmlns:a="{INFOCOM}"><a:address>Ош ш.</a:address>'
        "<a:addressArray><a:code>41721000000000</a:code><a:houseTxt>5</a:houseTxt></a:addressArray>"
        "</a:asbAddressResponse>"
    )
    values = ReplyReader(ASB_ADDRESS).read(envelope(body))
    assert values == {"address": "Ош ш.", "addressArray": {"code": "41721000000000", "houseTxt": "5"}}


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        ("Server.ServerProxy.ServiceFailed", True),
        ("server.serverproxy.service_failed", True),
        ("SOAP-ENV:Server.ClientProxy.NetworkError", True),
        ("Client.InvalidRequest", False),
    ],
)
def test_faults_in_both_spellings_say_whether_to_retry(code: str, retryable: bool) -> None:
    fault = f"<S:Fault><faultcode>{code}</faultcode><faultstring>it broke</faultstring></S:Fault>"
    with pytest.raises(ConsumerError) as caught:
        ReplyReader(ZAGS_DATA_BY_PIN).read(envelope(fault, header=""), "m-1")
    assert caught.value.fault_code == code.rpartition(":")[2]
    assert caught.value.retryable is retryable
    assert "it broke" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<not-xml", "malformed XML"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "document type declaration"),
        (b"<x/>" + b" " * 2000, "exceeds the limit of 1000"),
        (b'<E xmlns="http://www.w3.org/2003/05/soap-envelope"><Body/></E>', "not a SOAP 1.1 Envelope"),
        (f'<S:Envelope xmlns:S="{ENV}"/>'.encode(), "no SOAP Body"),
        (envelope("<other/>"), "expected zagsDataByPinResponse, got other"),
        (zags("<p:pin>1</p:pin>").replace(b"m-1", b"m-2"), "id 'm-2' is not the request's 'm-1'"),
        (zags("<p:dateOfBirth>03.02.1990</p:dateOfBirth>"), "zagsDataByPin: Invalid isoformat"),
        (zags("<p:pinBlocked>maybe</p:pinBlocked>"), "not an xsd:boolean"),
        (zags("<p:maritalStatus>two</p:maritalStatus>"), "invalid literal"),
    ],
    ids=["malformed", "dtd", "too-large", "soap12", "no-body", "wrong-wrapper", "id-not-echoed",
         "bad-date", "bad-boolean", "bad-int"],
)  # fmt: skip
def test_unusable_replies_are_retryable_bad_replies(body: bytes, message: str) -> None:
    with pytest.raises(ConsumerError, match=message) as caught:
        ReplyReader(ZAGS_DATA_BY_PIN, max_bytes=1000).read(body, "m-1")
    assert caught.value.fault_code == "Server.BadReply"
    assert caught.value.retryable
