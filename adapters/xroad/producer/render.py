"""Response values → XML or JSON, following the contract's field declarations.

Only fields the agreement grants are rendered, down to the fields of each record (``granted`` is
a :data:`~sanarip_hub.producer.field_grants.FieldTree`, None for all); ``None`` values are omitted,
which the schema allows because every response field is optional.

XML is written as text by the hub's one XML writer (:mod:`adapters.xroad.xml_text`): every value
escaped, the characters XML 1.0 forbids dropped, so no database value can break the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from lxml import etree

from adapters.xroad.xml_text import scalar_text, text
from sanarip_hub.domain.contract import Field, Service
from sanarip_hub.producer.field_grants import FieldTree, granted


def _text(parts: list[str], prefix: str, spec: Field, value: Any, tree: FieldTree | None = None) -> None:
    tag = f"{prefix}{spec.name}"
    if spec.type == "any":
        parts.append(f"<{tag}>{etree.tostring(value, encoding='unicode')}</{tag}>")
    elif spec.item is not None:
        parts.append(f"<{tag}>")
        item = f"{prefix}{spec.item}"
        for entry in value:
            if spec.children:
                parts.append(f"<{item}>")
                _text_record(parts, prefix, spec.children, entry, tree)
                parts.append(f"</{item}>")
            else:
                parts.append(f"<{item}>{text(scalar_text(entry))}</{item}>")
        parts.append(f"</{tag}>")
    elif spec.children:
        parts.append(f"<{tag}>")
        _text_record(parts, prefix, spec.children, value, tree)
        parts.append(f"</{tag}>")
    else:
        parts.append(f"<{tag}>{text(scalar_text(value))}</{tag}>")


def _text_record(
    parts: list[str],
    prefix: str,
    children: tuple[Field, ...],
    values: Mapping[str, Any],
    tree: FieldTree | None,
) -> None:
    for child, subtree in granted(children, tree):
        value = values.get(child.name)
        if value is not None:
            _text(parts, prefix, child, value, subtree)


def record_text(
    fields: tuple[Field, ...], values: Mapping[str, Any], grant: FieldTree | None, qualifier: str
) -> str:
    """The granted fields of one record as XML text, each element named ``qualifier`` + name."""
    parts: list[str] = []
    _text_record(parts, qualifier, fields, values, grant)
    return "".join(parts)


def xml_text(
    service: Service,
    result_code: str | None,
    values: Mapping[str, Any],
    grant: FieldTree | None,
    prefix: str | None,
) -> str:
    """The content of a ``…Response`` wrapper whose namespace is bound to ``prefix`` (None: default);
    ``result_code`` None for contracts without the producer's resultCode convention."""
    qualifier = f"{prefix}:" if prefix else ""
    head = f"<{qualifier}resultCode>{result_code}</{qualifier}resultCode>" if result_code else ""
    return head + record_text(service.fields, values, grant, qualifier)


def _json(spec: Field, value: Any, tree: FieldTree | None) -> Any:
    if spec.item is not None:
        if spec.children:
            return [_json_record(spec.children, item, tree) for item in value]
        return [_json_scalar(item) for item in value]
    if spec.children:
        return _json_record(spec.children, value, tree)
    return _json_scalar(value)


def _json_scalar(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return scalar_text(value)
    return value


def _json_record(
    children: tuple[Field, ...], values: Mapping[str, Any], tree: FieldTree | None
) -> dict[str, Any]:
    return {
        c.name: _json(c, values[c.name], subtree)
        for c, subtree in granted(children, tree)
        if values.get(c.name) is not None and c.type != "any"
    }


def to_json(
    service: Service, result_code: str, values: Mapping[str, Any], grant: FieldTree | None
) -> dict[str, Any]:
    return {"resultCode": result_code, **_json_record(service.fields, values, grant)}
