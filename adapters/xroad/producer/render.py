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

_SCALAR, _SCALARS, _RECORD, _RECORDS, _ANY = range(5)

# One step of a plan: (field name, kind, "<tag>", "</tag>", "<item>", "</item>" of a list (else ""),
# the plan of its records)
_Step = tuple[str, int, str, str, str, str, tuple[Any, ...]]


def _plan(prefix: str, fields: tuple[Field, ...], tree: FieldTree | None) -> tuple[_Step, ...]:
    """What a record's granted fields become, decided once per contract, grant and prefix: which
    fields, their tags, and how each is written (py-spy: looking this up field by field for every
    answer was ~10% of a worker's CPU under load)."""
    steps: list[_Step] = []
    for spec, subtree in granted(fields, tree):
        tag = f"{prefix}{spec.name}"
        sub: tuple[_Step, ...] = ()
        item_tags = ("", "") if spec.item is None else (f"<{prefix}{spec.item}>", f"</{prefix}{spec.item}>")
        if spec.type == "any":
            kind = _ANY
        elif spec.children:
            kind, sub = _RECORDS if spec.item is not None else _RECORD, _plan(prefix, spec.children, subtree)
        else:
            kind = _SCALARS if spec.item is not None else _SCALAR
        steps.append((spec.name, kind, f"<{tag}>", f"</{tag}>", *item_tags, sub))
    return tuple(steps)


_PLANS: dict[tuple[int, int, str], tuple[object, object, tuple[_Step, ...]]] = {}
_MAX_PLANS = 1024  # grants are rebuilt at each agreement reload: a full cache starts over


def _plan_for(fields: tuple[Field, ...], tree: FieldTree | None, prefix: str) -> tuple[_Step, ...]:
    """The cached plan of ``fields`` under ``tree``.  Keyed by identity (a grant's tree is built
    once per agreement reload and never changed); the entry holds the tree itself, so its id cannot
    pass to another tree while the plan is cached."""
    key = (id(fields), id(tree), prefix)
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is fields and hit[1] is tree:
        return hit[2]
    plan = _plan(prefix, fields, tree)
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    _PLANS[key] = (fields, tree, plan)
    return plan


def _scalar(value: Any) -> str:
    return text(value) if type(value) is str else text(scalar_text(value))


def _write(parts: list[str], plan: tuple[_Step, ...], values: Mapping[str, Any]) -> None:
    append, get = parts.append, values.get
    for name, kind, open_, close, item_open, item_close, sub in plan:
        value = get(name)
        if value is None:
            continue
        if kind == _SCALAR:
            append(open_ + _scalar(value) + close)
        elif kind == _RECORDS:
            append(open_)
            for entry in value:
                append(item_open)
                _write(parts, sub, entry)
                append(item_close)
            append(close)
        elif kind == _RECORD:
            append(open_)
            _write(parts, sub, value)
            append(close)
        elif kind == _SCALARS:
            append(open_ + "".join(item_open + _scalar(entry) + item_close for entry in value) + close)
        else:
            append(open_ + etree.tostring(value, encoding="unicode") + close)


def record_text(
    fields: tuple[Field, ...], values: Mapping[str, Any], grant: FieldTree | None, qualifier: str
) -> str:
    """The granted fields of one record as XML text, each element named ``qualifier`` + name."""
    parts: list[str] = []
    _write(parts, _plan_for(fields, grant, qualifier), values)
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
