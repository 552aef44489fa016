"""householdByPin served by fastapi-xroad-soap (the other named peer), from the same in-memory data.

Bench-only: runs in bench/.peers-venv under uvicorn; the library echoes the X-Road header itself.
"""

import json
import os
from datetime import date

from fastapi_xroad_soap import MessageBody, SoapService, XroadHeader
from fastapi_xroad_soap.elements import Boolean, Date, Float, Integer, String

NS = "http://sanarip-aimak.gov.kg/xroad/producer/v1"
TNS = {"": NS}
DATA = json.load(open(os.environ["BENCH_DATA"], encoding="utf-8"))
for _values in DATA.values():
    for _member in _values["members"]:
        _member["birthDate"] = date.fromisoformat(_member["birthDate"])


def present(**values: object) -> dict[str, object]:
    """The library refuses None for optional elements: leave absent values out."""
    return {k: v for k, v in values.items() if v is not None}


def text(tag: str) -> str:
    return String(tag=tag, min_occurs=0)


class Address(MessageBody, tag="address", nsmap=TNS):
    soate: str | None = text("soate")
    settlement: str | None = text("settlement")
    street: str | None = text("street")
    house: str | None = text("house")
    flat: str | None = text("flat")
    text_: str | None = text("text")


class Member(MessageBody, tag="member", nsmap=TNS):
    pin: str | None = text("pin")
    surname: str | None = text("surname")
    given_name: str | None = text("givenName")
    patronymic: str | None = text("patronymic")
    birth_date: date | None = Date(tag="birthDate", min_occurs=0)
    gender: str | None = text("gender")
    relation: str | None = text("relation")


class Members(MessageBody, tag="members", nsmap=TNS):
    member: list[Member] = Member.Element(tag="member", min_occurs=0, max_occurs="unbounded")


class Dwelling(MessageBody, tag="dwelling", nsmap=TNS):
    type_: str | None = text("type")
    ownership: str | None = text("ownership")
    area: float | None = Float(tag="areaTotalM2", min_occurs=0)
    rooms: int | None = Integer(tag="rooms", min_occurs=0)
    water: bool | None = Boolean(tag="water", min_occurs=0)
    gas: bool | None = Boolean(tag="gas", min_occurs=0)
    electricity: bool | None = Boolean(tag="electricity", min_occurs=0)


class Animal(MessageBody, tag="animal", nsmap=TNS):
    kind: str | None = text("kind")
    head_count: int | None = Integer(tag="headCount", min_occurs=0)


class Livestock(MessageBody, tag="livestock", nsmap=TNS):
    animal: list[Animal] = Animal.Element(tag="animal", min_occurs=0, max_occurs="unbounded")


class Request(MessageBody, tag="householdByPin", nsmap=TNS):
    pin = String(tag="pin")


class Response(MessageBody, tag="householdByPinResponse", nsmap=TNS):
    result_code = String(tag="resultCode")
    lsg_name: str | None = text("lsgName")
    account_no: str | None = text("accountNo")
    household_type: str | None = text("householdType")
    address: Address | None = Address.Element(tag="address", min_occurs=0, max_occurs=1)
    members: Members | None = Members.Element(tag="members", min_occurs=0, max_occurs=1)
    dwelling: Dwelling | None = Dwelling.Element(tag="dwelling", min_occurs=0, max_occurs=1)
    land_ha: float | None = Float(tag="landHa", min_occurs=0)
    livestock: Livestock | None = Livestock.Element(tag="livestock", min_occurs=0, max_occurs=1)
    updated_at: str | None = text("updatedAt")


soap = SoapService(name="sanaripaymak", path="/xroad", this_namespace=NS)


@soap.action("householdByPin")
def household_by_pin(body: Request, header: XroadHeader) -> Response:
    values = DATA.get(body.pin)
    if values is None:
        return Response(result_code="PIN_NOT_FOUND")
    address = values["address"]
    dwelling = values.get("dwelling")
    return Response(
        result_code="OK",
        lsg_name=values["lsgName"],
        account_no=values["accountNo"],
        household_type=values["householdType"],
        address=Address(**present(**{k if k != "text" else "text_": v for k, v in address.items()})),
        members=Members(
            member=[
                Member(
                    **present(
                        pin=m["pin"],
                        surname=m["surname"],
                        given_name=m["givenName"],
                        patronymic=m["patronymic"],
                        birth_date=m["birthDate"],
                        gender=m["gender"],
                        relation=m["relation"],
                    )
                )
                for m in values["members"]
            ]
        ),  # fmt: skip
        dwelling=None
        if not dwelling
        else Dwelling(
            **present(
                type_=dwelling["type"],
                ownership=dwelling["ownership"],
                area=None if dwelling["areaTotalM2"] is None else float(dwelling["areaTotalM2"]),
                rooms=dwelling["rooms"],
                water=dwelling["water"],
                gas=dwelling["gas"],
                electricity=dwelling["electricity"],
            )
        ),  # fmt: skip
        land_ha=float(values["landHa"]),
        livestock=Livestock(
            animal=[Animal(kind=a["kind"], head_count=a["headCount"]) for a in values["livestock"]]
        ),
        updated_at=values["updatedAt"],
    )


app = soap
