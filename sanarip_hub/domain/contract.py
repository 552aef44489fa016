"""Service contracts as data: the declarations a WSDL, a request reader and a response writer share.

A contract names its WSDL, target namespace and service version and lists its services; each service
declares its request parameters and its response fields.  ``adapters.xroad.wsdl`` renders a contract
as an X-Road WSDL; the producer and the registry simulators answer from the same declarations, so
what the WSDL promises and what goes on the wire cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    """A response element: a scalar of XSD ``type``, a record of ``children``, or a list of them.

    A list is a container element holding repeated ``item`` elements (``members/member``); its
    value is a list of dicts (records) or of scalars.  Type ``any`` holds a ready XML element (the
    signed certificate).
    """

    name: str
    type: str = "string"
    children: tuple[Field, ...] = ()
    item: str | None = None
    personal: bool = False  # may hold personal data even in a service that otherwise holds none


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"
    required: bool = True


@dataclass(frozen=True)
class Service:
    code: str
    title: dict[str, str]  # ky, ru, en
    params: tuple[Param, ...]
    fields: tuple[Field, ...]
    personal: bool  # returns personal data: userId (and issue) required, subjects ledgered
    note: str = ""
    rest_only: bool = False  # a REST endpoint (``GET /rest/<code>/{pin}``), not a WSDL operation
    field_names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_names", frozenset(f.name for f in self.fields))


@dataclass(frozen=True)
class Contract:
    """One WSDL: its services under one namespace and version.

    ``result_code`` adds the producer's ``resultCode`` convention (an enumeration named by
    ``result_codes``) as the first element of every response; ``comment`` heads the rendered file.
    """

    name: str
    namespace: str
    version: str
    services: tuple[Service, ...]
    comment: str
    result_codes: tuple[str, ...] = ()


PYTHON_TYPES = {
    "string": "str",
    "int": "int",
    "long": "int",
    "integer": "int",
    "decimal": "Decimal | float",  # the reader gives Decimal; the hub's answers may hold floats
    "boolean": "bool",
    "date": "date",
    "dateTime": "datetime",
    "any": "object",  # a ready XML element (the domain names no XML toolkit)
}


def record_class_name(code: str) -> str:
    """``householdByPin`` → ``HouseholdByPin``; a REST code ``address-fact`` → ``AddressFact``."""
    return "".join(part[:1].upper() + part[1:] for part in code.split("-"))


def render_record_types(contracts: tuple[Contract, ...], header: str) -> str:
    """Python source with a ``TypedDict`` per service answer (``<Service>Record``) and per nested
    record (``<Service><Element>``), so mypy checks every key code reads or writes against the
    declaration.  Every key may be absent (``total=False``: a reader leaves absent elements out,
    an answer holds only what was granted); a scalar may be ``None`` (an empty or nil element)."""
    classes: list[str] = []

    def record(class_name: str, fields: tuple[Field, ...], doc: str) -> None:
        lines = [f"class {class_name}(TypedDict, total=False):", f'    """{doc}"""', ""]
        lines += [f"    {spec.name}: {annotation(class_name, spec)}" for spec in fields]
        classes.append("\n".join(lines))

    def annotation(owner: str, spec: Field) -> str:
        if spec.children:
            element = spec.item or spec.name
            nested = owner.removesuffix("Record") + record_class_name(element)
            record(nested, spec.children, f"``{element}`` in :class:`{owner}`.")
            return f"list[{nested}]" if spec.item else nested
        scalar = PYTHON_TYPES[spec.type]
        if spec.item:
            return f"list[{scalar}]"
        return scalar if spec.type == "any" else f"{scalar} | None"

    for contract in contracts:
        for service in contract.services:
            record(
                f"{record_class_name(service.code)}Record",
                service.fields,
                f"``{service.code}``'s answer ({contract.name}).",
            )
    return "\n\n\n".join([header.rstrip(), *classes]) + "\n"
