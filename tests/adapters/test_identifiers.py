"""X-Road identifiers: string forms, the allowed-character rule and the REST client header."""

from __future__ import annotations

import pytest

from sanarip_hub.domain.xroad_identifiers import ClientId, ObjectType, ServiceId
from sanarip_hub.errors import InvalidIdentifier

HUB = ClientId("central-server", "GOV", "70000050", "sanaripaymak-service")


def test_client_string_forms() -> None:
    assert str(HUB) == "SUBSYSTEM:central-server/GOV/70000050/sanaripaymak-service"
    assert HUB.object_type is ObjectType.SUBSYSTEM
    assert ClientId.parse(str(HUB)) == HUB
    assert ClientId.parse("central-server/GOV/70000050/sanaripaymak-service") == HUB
    member = ClientId.parse("MEMBER:central-server/COM/60000006")
    assert member.subsystem is None
    assert member.object_type is ObjectType.MEMBER
    assert str(member) == "MEMBER:central-server/COM/60000006"


def test_service_string_forms() -> None:
    service = ServiceId(HUB, "householdByPin", "v1")
    assert str(service) == "SERVICE:central-server/GOV/70000050/sanaripaymak-service/householdByPin/v1"
    assert ServiceId.parse(str(service)) == service
    unversioned = ServiceId.parse("central-server/GOV/70000005/zags-service/zagsDataByPin")
    assert unversioned.version is None
    assert unversioned.provider == ClientId("central-server", "GOV", "70000005", "zags-service")
    member_level = ServiceId(ClientId("EE", "GOV", "1"), "getRandom", "v2")
    assert ServiceId.parse(str(member_level)) == member_level
    bare = ServiceId(ClientId("EE", "GOV", "1"), "getRandom")
    assert ServiceId.parse(str(bare)) == bare


@pytest.mark.parametrize(
    "text",
    [
        "SUBSYSTEM:central-server/GOV",
        "SUBSYSTEM:central-server/GOV/7000/sub/extra",
        "MEMBER:a/b/c/d",
        "SUBSYSTEM:central server/GOV/1/sub",
        "SUBSYSTEM:central-server/GOV/70000050/sub;drop",
        "SUBSYSTEM:central-server/GOV/70000050/süb",
        "SUBSYSTEM:central-server/GOV/70%35/sub",
        "SUBSYSTEM:central-server/GOV//sub",
        "GLOBALGROUP:central-server/security-server-owners",
    ],
)
def test_malformed_clients_are_refused(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        ClientId.parse(text)


@pytest.mark.parametrize(
    "text", ["SERVICE:a/b/c", "SERVICE:a/b/c/d/e:f", "SERVICE:a/b/c/d/e/f/g", "SERVICE:a/b/c/d/e/v%1"]
)
def test_malformed_services_are_refused(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        ServiceId.parse(text)


def test_every_allowed_character_is_allowed() -> None:
    odd = ClientId("EE-test", "GOV", "A'()+,-.=?9", "sub")
    assert ClientId.parse(str(odd)) == odd


def test_rest_client_header_round_trip() -> None:
    assert ClientId.from_rest_header("central-server/GOV/70000003/sf-personal-data") == ClientId(
        "central-server", "GOV", "70000003", "sf-personal-data"
    )
    odd = ClientId("EE", "GOV", "(a+b)", "x?y")
    assert ClientId.from_rest_header(odd.rest_header()) == odd
    with pytest.raises(InvalidIdentifier):
        ClientId.from_rest_header("central-server/GOV")
    with pytest.raises(InvalidIdentifier):
        ClientId.from_rest_header("central-server/GOV/7%2F0/sub")  # an encoded slash is still forbidden
