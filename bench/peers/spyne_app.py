"""householdByPin served by spyne (the peer the issue names), from the same in-memory data.

Bench-only: runs in bench/.peers-venv (spyne, gunicorn), never imported by the hub.  The X-Road
header travels as spyne header models and is echoed with ``ctx.out_header = ctx.in_header``.
"""

from __future__ import annotations

import json
import os
from datetime import date

from spyne import (
    Application,
    Array,
    Boolean,
    ComplexModel,
    Date,
    Decimal,
    Integer,
    Unicode,
    XmlAttribute,
    rpc,
)
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication
from spyne.service import ServiceBase

XROAD = "http://x-road.eu/xsd/xroad.xsd"
IDS = "http://x-road.eu/xsd/identifiers"
NS = "http://sanarip-aimak.gov.kg/xroad/producer/v1"
DATA = json.load(open(os.environ["BENCH_DATA"], encoding="utf-8"))
for _values in DATA.values():  # spyne wants date objects; converted once at load
    for _member in _values["members"]:
        _member["birthDate"] = date.fromisoformat(_member["birthDate"])


def _identifier(name: str, parts: tuple[str, ...]) -> type[ComplexModel]:
    """An X-Road identifier header: element in the xroad namespace, parts in the identifiers one."""
    fields = [(part, Unicode(sub_ns=IDS)) for part in parts]
    fields.append(("objectType", XmlAttribute(Unicode, ns=IDS)))
    return type(name, (ComplexModel,), {"__namespace__": XROAD, "__type_name__": name, "_type_info": fields})


MEMBER_PARTS = ("xRoadInstance", "memberClass", "memberCode", "subsystemCode")
Client = _identifier("client", MEMBER_PARTS)
Service = _identifier("service", (*MEMBER_PARTS, "serviceCode", "serviceVersion"))


class Id(Unicode):
    __type_name__ = "id"
    __namespace__ = XROAD


class UserId(Unicode):
    __type_name__ = "userId"
    __namespace__ = XROAD


class Issue(Unicode):
    __type_name__ = "issue"
    __namespace__ = XROAD


class ProtocolVersion(Unicode):
    __type_name__ = "protocolVersion"
    __namespace__ = XROAD


HEADER = (Client, Service, Id, UserId, Issue, ProtocolVersion)


class Address(ComplexModel):
    __namespace__ = NS
    _type_info = [(n, Unicode) for n in ("soate", "settlement", "street", "house", "flat", "text")]


class Member(ComplexModel):
    __namespace__ = NS
    _type_info = [
        ("pin", Unicode), ("surname", Unicode), ("givenName", Unicode), ("patronymic", Unicode),
        ("birthDate", Date), ("gender", Unicode), ("relation", Unicode),
    ]  # fmt: skip


class Dwelling(ComplexModel):
    __namespace__ = NS
    _type_info = [
        ("type", Unicode), ("ownership", Unicode), ("areaTotalM2", Decimal), ("rooms", Integer),
        ("water", Boolean), ("gas", Boolean), ("electricity", Boolean),
    ]  # fmt: skip


class Animal(ComplexModel):
    __namespace__ = NS
    _type_info = [("kind", Unicode), ("headCount", Integer)]


class HouseholdResponse(ComplexModel):
    __namespace__ = NS
    __type_name__ = "householdByPinResponse"
    _type_info = [
        ("resultCode", Unicode),
        ("lsgName", Unicode),
        ("accountNo", Unicode),
        ("householdType", Unicode),
        ("address", Address),
        ("members", Array(Member.customize(type_name="member"))),
        ("dwelling", Dwelling),
        ("landHa", Decimal),
        ("livestock", Array(Animal.customize(type_name="animal"))),
        ("updatedAt", Unicode),
    ]


class Household(ServiceBase):
    @rpc(
        Unicode,
        _returns=HouseholdResponse,
        _body_style="out_bare",
        _in_message_name="householdByPin",
        _in_header=HEADER,
        _out_header=HEADER,
    )
    def householdByPin(ctx, pin):  # noqa: N802, N805 - spyne's conventions
        ctx.out_header = ctx.in_header
        values = DATA.get(pin)
        if values is None:
            return HouseholdResponse(resultCode="PIN_NOT_FOUND")
        return HouseholdResponse(
            resultCode="OK",
            lsgName=values["lsgName"],
            accountNo=values["accountNo"],
            householdType=values["householdType"],
            address=Address(**values["address"]),
            members=[Member(**m) for m in values["members"]],
            dwelling=Dwelling(**values["dwelling"]) if values.get("dwelling") else None,
            landHa=values["landHa"],
            livestock=[Animal(**a) for a in values["livestock"]],
            updatedAt=values["updatedAt"],
        )


application = WsgiApplication(Application([Household], tns=NS, in_protocol=Soap11(), out_protocol=Soap11()))
