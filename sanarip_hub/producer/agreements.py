"""Standard interagency agreements: managing them and checking every call against them.

The check is on the hot path of every request, so :class:`AgreementBook` keeps the active
agreements in memory and reloads them at most every ``producer.agreement_cache_seconds`` (default
5 s; 0 reloads on every call).  A revocation therefore takes effect within that interval on every
worker, without a database round trip per request.
"""

from __future__ import annotations

import threading
import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import IntegrityError

from adapters.xroad.identifiers import ClientId, InvalidIdentifier
from sanarip_hub.errors import HubError
from sanarip_hub.producer.contract import BY_CODE
from sanarip_hub.storage.models import Agreement

ALL_FIELDS = "*"
AGREEMENT: Table = Agreement.__table__  # type: ignore[assignment]


class AgreementError(HubError):
    """An agreement is malformed, duplicated or unknown."""

    code = "agreement"


@dataclass(frozen=True)
class AgreementSpec:
    """An agreement as written in an import file or on the command line, validated."""

    number: str
    client: str
    services: tuple[str, ...]
    purpose: str
    fields: tuple[str, ...]
    valid_from: date
    valid_to: date | None
    require_issue: bool = True

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], where: str = "agreement") -> AgreementSpec:
        """Validate one ``[[agreement]]`` table; every problem names the agreement and the key."""
        known = {
            "number",
            "client",
            "services",
            "purpose",
            "fields",
            "valid_from",
            "valid_to",
            "require_issue",
        }
        unknown = sorted(set(raw) - known)
        if unknown:
            raise AgreementError(f"{where}: unknown key(s) {', '.join(unknown)}")
        number = raw.get("number")
        if not isinstance(number, str) or not number.strip():
            raise AgreementError(f"{where}: number must be a non-empty string")
        where = f"agreement {number}"

        def need(key: str, kind: type, default: Any = None) -> Any:
            value = raw.get(key, default)
            if not isinstance(value, kind):
                raise AgreementError(f"{where}: {key} must be a {kind.__name__}, got {value!r}")
            return value

        client_text = need("client", str)
        try:
            client = ClientId.parse(client_text)
        except InvalidIdentifier as exc:
            raise AgreementError(f"{where}: client: {exc}") from None
        services = need("services", list)
        if not services or any(s not in BY_CODE for s in services):
            bad = [s for s in services if s not in BY_CODE] or ["(none)"]
            raise AgreementError(
                f"{where}: unknown service(s) {', '.join(map(str, bad))}; known: {', '.join(BY_CODE)}"
            )
        fields = need("fields", list, [ALL_FIELDS])
        if fields != [ALL_FIELDS]:
            allowed = set().union(*(BY_CODE[s].field_names for s in services))
            bad = [f for f in fields if f not in allowed]
            if bad or not fields:
                raise AgreementError(
                    f"{where}: field(s) {', '.join(map(str, bad)) or '(none)'} not in the responses of "
                    f'{", ".join(services)}; use ["*"] or some of: {", ".join(sorted(allowed))}'
                )
        valid_from = need("valid_from", date)
        valid_to = raw.get("valid_to")
        if valid_to is not None and (not isinstance(valid_to, date) or valid_to < valid_from):
            raise AgreementError(f"{where}: valid_to must be a date not before valid_from")
        return cls(
            number=number.strip(),
            client=str(client),
            services=tuple(dict.fromkeys(services)),
            purpose=need("purpose", str),
            fields=tuple(dict.fromkeys(fields)),
            valid_from=valid_from,
            valid_to=valid_to,
            require_issue=need("require_issue", bool, True),
        )

    def row_values(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "client": self.client,
            "services": list(self.services),
            "purpose": self.purpose,
            "fields": list(self.fields),
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "require_issue": self.require_issue,
        }


def read_import_file(path: Path) -> list[AgreementSpec]:
    """Every ``[[agreement]]`` of a TOML file, all validated before anything is stored."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AgreementError(f"{path}: {exc}") from None
    tables = document.get("agreement")
    if not isinstance(tables, list) or not tables:
        raise AgreementError(f"{path}: no [[agreement]] tables")
    specs = [AgreementSpec.from_mapping(t, f"{path}: agreement #{i + 1}") for i, t in enumerate(tables)]
    numbers = [s.number for s in specs]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        raise AgreementError(f"{path}: agreement number(s) repeated: {', '.join(duplicates)}")
    return specs


def store(engine: Engine, specs: Iterable[AgreementSpec]) -> tuple[int, int]:
    """Add agreements in one transaction; returns (added, unchanged).

    Importing the same file twice adds nothing; an existing number with different terms is an
    error (an agreement's terms never change in place: revoke it and conclude a new one).
    """
    added = unchanged = 0
    with engine.begin() as connection:
        for spec in specs:
            existing = connection.execute(select(Agreement).where(Agreement.number == spec.number)).first()
            if existing is not None:
                current = {key: getattr(existing, key) for key in spec.row_values()}
                if current == spec.row_values():
                    unchanged += 1
                    continue
                raise AgreementError(
                    f"agreement {spec.number} already exists with different terms; "
                    "revoke it and add a new number"
                )
            try:
                connection.execute(AGREEMENT.insert().values(**spec.row_values()))
            except IntegrityError:
                raise AgreementError(f"agreement {spec.number} already exists") from None
            added += 1
    return added, unchanged


def revoke(engine: Engine, number: str, by: str, reason: str) -> None:
    table = AGREEMENT
    with engine.begin() as connection:
        row = connection.execute(select(Agreement.revoked_at).where(Agreement.number == number)).first()
        if row is None:
            raise AgreementError(f"no agreement numbered {number}")
        if row.revoked_at is not None:
            raise AgreementError(f"agreement {number} was already revoked at {row.revoked_at:%Y-%m-%d %H:%M}")
        connection.execute(
            table.update()
            .where(table.c.number == number)
            .values(
                revoked_at=datetime.now(UTC), revoked_by=by, revoke_reason=reason, version=table.c.version + 1
            )
        )


def list_agreements(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(AGREEMENT).order_by(Agreement.number)))


def is_active(row: Any, today: date) -> bool:
    return (
        row.revoked_at is None and row.valid_from <= today and (row.valid_to is None or today <= row.valid_to)
    )


@dataclass(frozen=True)
class Grant:
    """What one active agreement allows a client for one service."""

    number: str
    purpose: str
    fields: frozenset[str] | None  # None: every field
    require_issue: bool


class AgreementBook:
    """Active agreements by (client, service), reloaded from the database at most every ``ttl`` s."""

    def __init__(self, engine: Engine, ttl: float = 5.0) -> None:
        self.engine = engine
        self.ttl = ttl
        self._grants: dict[tuple[str, str], Grant] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def _load(self) -> None:
        today = datetime.now(UTC).date()
        grants: dict[tuple[str, str], Grant] = {}
        # newest first, so when two agreements cover the same call the most recent one is cited
        for row in sorted(list_agreements(self.engine), key=lambda r: (r.valid_from, r.number), reverse=True):
            if not is_active(row, today):
                continue
            fields = None if row.fields == [ALL_FIELDS] else frozenset(row.fields)
            for service in row.services:
                grants.setdefault(
                    (row.client, service), Grant(row.number, row.purpose, fields, bool(row.require_issue))
                )
        self._grants = grants

    def grant(self, client: ClientId, service_code: str) -> Grant | None:
        now = time.monotonic()
        if now - self._loaded_at >= self.ttl:
            with self._lock:
                if now - self._loaded_at >= self.ttl:
                    self._load()
                    self._loaded_at = now
        return self._grants.get((str(client), service_code))
