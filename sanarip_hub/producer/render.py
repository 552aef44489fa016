"""Response values → XML or JSON, following the contract's field declarations.

Only fields the agreement grants are rendered (``granted`` is None for all); ``None`` values are
omitted, which the schema allows because every response field is optional.

XML is written as text rather than built element by element: a household card is some fifty
elements, and creating them one lxml call at a time cost more than everything else a response
needs.  Text is escaped with one ``str.translate`` table that also drops the control characters
XML 1.0 forbids, so no database value can break the document.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from adapters.xroad.contract import Field, Service


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


_ESCAPE: dict[int, str | None] = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_ESCAPE.update({c: None for c in range(32) if c not in (9, 10, 13)})
_ESCAPE.update({0xFFFE: None, 0xFFFF: None})


def _text(parts: list[str], prefix: str, spec: Field, value: Any) -> None:
    tag = f"{prefix}{spec.name}"
    if spec.type == "any":
        parts.append(f"<{tag}>{etree.tostring(value, encoding='unicode')}</{tag}>")
    elif spec.item is not None:
        parts.append(f"<{tag}>")
        item = f"{prefix}{spec.item}"
        for entry in value:
            if spec.children:
                parts.append(f"<{item}>")
                _text_record(parts, prefix, spec.children, entry)
                parts.append(f"</{item}>")
            else:
                parts.append(f"<{item}>{scalar_text(entry).translate(_ESCAPE)}</{item}>")
        parts.append(f"</{tag}>")
    elif spec.children:
        parts.append(f"<{tag}>")
        _text_record(parts, prefix, spec.children, value)
        parts.append(f"</{tag}>")
    else:
        parts.append(f"<{tag}>{scalar_text(value).translate(_ESCAPE)}</{tag}>")


def _text_record(parts: list[str], prefix: str, children: tuple[Field, ...], values: dict[str, Any]) -> None:
    for child in children:
        value = values.get(child.name)
        if value is not None:
            _text(parts, prefix, child, value)


def xml_text(
    service: Service,
    result_code: str | None,
    values: dict[str, Any],
    granted: frozenset[str] | None,
    prefix: str | None,
) -> str:
    """The content of a ``…Response`` wrapper whose namespace is bound to ``prefix`` (None: default);
    ``result_code`` None for contracts without the producer's resultCode convention."""
    qualifier = f"{prefix}:" if prefix else ""
    parts = [f"<{qualifier}resultCode>{result_code}</{qualifier}resultCode>"] if result_code else []
    for spec in granted_fields(service, granted):
        value = values.get(spec.name)
        if value is not None:
            _text(parts, qualifier, spec, value)
    return "".join(parts)


def granted_fields(service: Service, granted: frozenset[str] | None) -> Iterable[Field]:
    return service.fields if granted is None else (f for f in service.fields if f.name in granted)


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
