"""Response values → XML elements or JSON, following the contract's field declarations.

Only fields the agreement grants are rendered (``granted`` is None for all); ``None`` values are
omitted, which the schema allows because every response field is optional.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from sanarip_hub.producer.contract import NAMESPACE, Field, Service


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def _xml(parent: Any, spec: Field, value: Any) -> None:
    tag = f"{{{NAMESPACE}}}{spec.name}"
    if spec.type == "any":
        etree.SubElement(parent, tag).append(value)
    elif spec.item is not None:
        container = etree.SubElement(parent, tag)
        item_tag = f"{{{NAMESPACE}}}{spec.item}"
        for item in value:
            if spec.children:
                _record(etree.SubElement(container, item_tag), spec.children, item)
            else:
                etree.SubElement(container, item_tag).text = scalar_text(item)
    elif spec.children:
        _record(etree.SubElement(parent, tag), spec.children, value)
    else:
        etree.SubElement(parent, tag).text = scalar_text(value)


def _record(element: Any, children: tuple[Field, ...], values: dict[str, Any]) -> None:
    for child in children:
        value = values.get(child.name)
        if value is not None:
            _xml(element, child, value)


def granted_fields(service: Service, granted: frozenset[str] | None) -> Iterable[Field]:
    return service.fields if granted is None else (f for f in service.fields if f.name in granted)


def fill_xml(
    wrapper: Any, service: Service, result_code: str, values: dict[str, Any], granted: frozenset[str] | None
) -> None:
    """Append ``resultCode`` and the granted fields to a ``…Response`` wrapper element."""
    etree.SubElement(wrapper, f"{{{NAMESPACE}}}resultCode").text = result_code
    for spec in granted_fields(service, granted):
        value = values.get(spec.name)
        if value is not None:
            _xml(wrapper, spec, value)


def _json(spec: Field, value: Any) -> Any:
    if spec.item is not None:
        if spec.children:
            return [_json_record(spec.children, item) for item in value]
        return [_json_scalar(item) for item in value]
    if spec.children:
        return _json_record(spec.children, value)
    return _json_scalar(value)


def _json_scalar(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return scalar_text(value)
    return value


def _json_record(children: tuple[Field, ...], values: dict[str, Any]) -> dict[str, Any]:
    return {c.name: _json(c, values[c.name]) for c in children if values.get(c.name) is not None}


def to_json(
    service: Service, result_code: str, values: dict[str, Any], granted: frozenset[str] | None
) -> dict[str, Any]:
    document: dict[str, Any] = {"resultCode": result_code}
    for spec in granted_fields(service, granted):
        value = values.get(spec.name)
        if value is not None and spec.type != "any":
            document[spec.name] = _json(spec, value)
    return document
