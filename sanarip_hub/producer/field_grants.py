"""Which response fields an agreement grants, per service, down to the fields of a record.

An agreement names, for each service it covers, the fields a client may receive: ``["*"]`` for all,
or paths in the service's contract, ``"lsgName"`` (a whole field) or ``"members.relation"`` (one
field of each member record).  In an import file ``fields`` is a table with one list per service::

    fields = { householdByPin = ["lsgName", "members.relation"], findUsage = ["*"] }

A flat list (``fields = ["address", "accountNo"]``) is still accepted where it is unambiguous: every
name must mean the same field in each of the agreement's services that has it.  ``members`` is a
list of person records in ``householdByPin`` but a count in ``socialPassportByPin``; granting it
flat for both once released whole member records where only a count was meant, so such a list is
refused and the table asked for.

A grant is kept as a :data:`FieldTree`: field name → ``None`` (the whole field) or the tree of the
record fields granted within it.  ``None`` instead of a tree grants every field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sanarip_hub.domain.contract import Field, Service
from sanarip_hub.errors import FieldGrantError

ALL_FIELDS = "*"

FieldTree = Mapping[str, "FieldTree | None"]


def _resolve(fields: Sequence[Field], path: str) -> list[Field] | None:
    """The chain of fields ``path`` names in ``fields`` (None when it names none)."""
    chain: list[Field] = []
    level: Sequence[Field] = fields
    for part in path.split("."):
        found = next((f for f in level if f.name == part), None)
        if found is None:
            return None
        chain.append(found)
        level = found.children
    return chain


def field_paths(service: Service, personal: bool = True) -> list[str]:
    """Every path an agreement may name in ``service`` (whole fields and their record fields);
    without ``personal``, only paths that disclose no personal data."""
    paths: list[str] = []

    def walk(prefix: str, fields: Sequence[Field]) -> None:
        for f in fields:
            if f.personal and not personal:
                continue
            paths.append(prefix + f.name)
            walk(prefix + f.name + ".", f.children)

    walk("", service.fields)
    return paths


def tree_of(service: Service, paths: Iterable[str]) -> FieldTree | None:
    """The tree of ``paths`` (already validated); None for all fields."""
    paths = list(paths)
    if paths == [ALL_FIELDS]:
        return None
    tree: dict[str, Any] = {}
    for path in sorted(paths, key=lambda p: p.count(".")):  # a whole field before its parts
        node: dict[str, Any] | None = tree
        parts = path.split(".")
        for depth, part in enumerate(parts):
            if node is None:
                break  # an ancestor is granted whole
            last = depth == len(parts) - 1
            if last:
                node[part] = None
            else:
                node = node.setdefault(part, {}) if node.get(part, {}) is not None else None
    return tree


def granted(fields: Sequence[Field], tree: FieldTree | None) -> Iterable[tuple[Field, FieldTree | None]]:
    """The fields of a record a tree grants, each with the tree of its own fields."""
    if tree is None:
        return ((f, None) for f in fields)
    return ((f, tree[f.name]) for f in fields if f.name in tree)


def discloses_personal(service: Service, tree: FieldTree | None) -> bool:
    """Whether a grant reaches personal data: a personal service, or a personal field granted."""
    if service.personal:
        return True
    return any(f.personal for f, _ in granted(service.fields, tree))


def normalize(
    services: Sequence[Service], raw: Any, where: str, *, statistics: bool = False
) -> dict[str, tuple[str, ...]]:
    """Per-service field lists from an import file's ``fields`` (a table or a flat list), every
    path checked against its service; raises :class:`FieldGrantError` naming the problem."""
    if raw is None:
        raw = [ALL_FIELDS]
    if isinstance(raw, Mapping):
        unknown = sorted(set(raw) - {s.code for s in services})
        if unknown:
            raise FieldGrantError(
                f"{where}: fields names service(s) {', '.join(unknown)} the agreement lacks"
            )
        missing = [s.code for s in services if s.code not in raw]
        if missing:
            raise FieldGrantError(
                f"{where}: fields must list every service of the agreement; add {', '.join(missing)} "
                '(["*"] grants all of a service\'s fields)'
            )
        result = {}
        for service in services:
            paths = raw[service.code]
            if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
                raise FieldGrantError(f"{where}: fields.{service.code} must be a non-empty list of names")
            result[service.code] = _checked(service, paths, where, statistics)
        return result
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
        raise FieldGrantError(f"{where}: fields must be a list of names or a table of lists per service")
    if raw == [ALL_FIELDS]:
        return {s.code: _checked(s, raw, where, statistics) for s in services}
    for path in raw:
        meanings = {tuple(chain) for s in services if (chain := _resolve(s.fields, path)) is not None}
        if not meanings:
            allowed = sorted({p for s in services for p in field_paths(s, not statistics)})
            raise FieldGrantError(
                f"{where}: field(s) {path} not in the responses of {', '.join(s.code for s in services)}; "
                f'use ["*"] or some of: {", ".join(allowed)}'
            )
        if len(meanings) > 1:
            owners = [s.code for s in services if _resolve(s.fields, path) is not None]
            raise FieldGrantError(
                f"{where}: field {path} means different things in {', '.join(owners)}; "
                "grant it per service: fields = { service = [...] }"
            )
    result = {}
    for service in services:
        own = [p for p in raw if _resolve(service.fields, p) is not None]
        result[service.code] = _checked(service, own, where, statistics) if own else ()
    return result


def _checked(service: Service, paths: list[str], where: str, statistics: bool) -> tuple[str, ...]:
    if paths == [ALL_FIELDS]:
        if statistics and any(f.personal for f in service.fields):  # "*" = every non-personal field
            return tuple(f.name for f in service.fields if not f.personal)
        return (ALL_FIELDS,)
    for path in paths:
        chain = _resolve(service.fields, path)
        if chain is None:
            raise FieldGrantError(
                f"{where}: field(s) {path} not in the responses of {service.code}; "
                f'use ["*"] or some of: {", ".join(field_paths(service, not statistics))}'
            )
        if statistics and any(f.personal for f in chain):
            raise FieldGrantError(
                f"{where}: a statistics agreement cannot be granted {service.code} {path}: it is "
                "personal data (regulation clause 27)"
            )
    return tuple(dict.fromkeys(paths))


def describe(fields: Mapping[str, Sequence[str]]) -> str:
    """A grant in one line, for listings: ``householdByPin: lsgName, members.relation; …``."""
    return "; ".join(f"{service}: {', '.join(paths) or '(none)'}" for service, paths in fields.items())
