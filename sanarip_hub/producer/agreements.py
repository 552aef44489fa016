"""Standard interagency agreements: managing them and checking every call against them.

The check is on the hot path of every request, so :class:`AgreementBook` keeps the active
agreements in memory and reloads them at most every ``producer.agreement_cache_seconds`` (default
5 s; 0 reloads on every call).  A revocation therefore takes effect within that interval on every
worker, without a database round trip per request.

Agreement dates are days in the hub's time zone (``[hub] timezone``, Asia/Bishkek): an agreement
valid to 31 December ends at midnight in Bishkek, not at midnight UTC six hours later.

Beyond the issue-4 terms an agreement may say ``oversight = true`` (the personal-data protection
agency: ``findUsage`` about anyone, everything shown), ``confidential_days = N`` (law enforcement:
its lookups stay out of the data subject's own report for N days) and ``statistics = true`` (the
statistics body, regulation clause 27: non-personal services and fields only).
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.domain.hub_contract import BY_CODE
from sanarip_hub.domain.xroad_identifiers import ClientId
from sanarip_hub.errors import AgreementError, FieldGrantError, InvalidIdentifier
from sanarip_hub.producer.field_grants import FieldTree, normalize, tree_of

KEYS = (
    "number",
    "client",
    "services",
    "purpose",
    "fields",
    "valid_from",
    "valid_to",
    "require_issue",
    "oversight",
    "confidential_days",
    "statistics",
)


@dataclass(frozen=True)
class AgreementSpec:
    """An agreement as written in an import file or on the command line, validated."""

    number: str
    client: str
    services: tuple[str, ...]
    purpose: str
    fields: Mapping[str, tuple[str, ...]]  # service → ("*",) or field paths
    valid_from: date
    valid_to: date | None
    require_issue: bool = True
    oversight: bool = False
    confidential_days: int = 0
    statistics: bool = False

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], where: str = "agreement") -> AgreementSpec:
        """Validate one ``[[agreement]]`` table; every problem names the agreement and the key."""
        unknown = sorted(set(raw) - set(KEYS))
        if unknown:
            raise AgreementError(f"{where}: unknown key(s) {', '.join(unknown)}")
        number = raw.get("number")
        if not isinstance(number, str) or not number.strip():
            raise AgreementError(f"{where}: number must be a non-empty string")
        where = f"agreement {number}"

        def need(key: str, kind: type, default: Any = None) -> Any:
            value = raw.get(key, default)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
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
        services = list(dict.fromkeys(services))
        statistics = need("statistics", bool, False)
        oversight = need("oversight", bool, False)
        if statistics:
            personal = [s for s in services if BY_CODE[s].personal]
            if personal:
                raise AgreementError(
                    f"{where}: a statistics agreement can be granted non-personal services only "
                    f"(regulation clause 27); {', '.join(personal)} return personal data"
                )
        if oversight and statistics:
            raise AgreementError(f"{where}: an agreement is not both oversight and statistics")
        try:
            fields = normalize(
                [BY_CODE[s] for s in services], raw.get("fields"), where, statistics=statistics
            )
        except FieldGrantError as exc:
            raise AgreementError(str(exc)) from None
        valid_from = need("valid_from", date)
        valid_to = raw.get("valid_to")
        if valid_to is not None and (not isinstance(valid_to, date) or valid_to < valid_from):
            raise AgreementError(f"{where}: valid_to must be a date not before valid_from")
        confidential_days = need("confidential_days", int, 0)
        if not 0 <= confidential_days <= 36500:
            raise AgreementError(f"{where}: confidential_days must be between 0 and 36500")
        return cls(
            number=number.strip(),
            client=str(client),
            services=tuple(services),
            purpose=need("purpose", str),
            fields=fields,
            valid_from=valid_from,
            valid_to=valid_to,
            require_issue=need("require_issue", bool, True),
            oversight=oversight,
            confidential_days=confidential_days,
            statistics=statistics,
        )

    def row_values(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "client": self.client,
            "services": list(self.services),
            "purpose": self.purpose,
            "fields": {service: list(paths) for service, paths in self.fields.items()},
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "require_issue": self.require_issue,
            "oversight": self.oversight,
            "confidential_days": self.confidential_days,
            "statistics": self.statistics,
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


class AgreementStore(Protocol):
    """Where agreements are kept (:class:`sanarip_hub.storage.agreements.AgreementTable`)."""

    def add(self, rows: Iterable[Mapping[str, Any]]) -> tuple[int, int]: ...

    def revoke(self, number: str, by: str, reason: str, at: datetime) -> None: ...

    def rows(self) -> list[Any]: ...


def store(agreements: AgreementStore, specs: Iterable[AgreementSpec]) -> tuple[int, int]:
    """Add agreements in one transaction; returns (added, unchanged).

    Importing the same file twice adds nothing; an existing number with different terms is an
    error (an agreement's terms never change in place: revoke it and conclude a new one).
    """
    return agreements.add(spec.row_values() for spec in specs)


def revoke(
    agreements: AgreementStore, number: str, by: str, reason: str, clock: Clock = SYSTEM_CLOCK
) -> None:
    """End an agreement now (its entries keep citing it)."""
    agreements.revoke(number, by, reason, clock.now())


def is_active(row: Any, today: date) -> bool:
    """In force on ``today`` (a day in the hub's time zone: see :func:`hub_today`)."""
    return (
        row.revoked_at is None and row.valid_from <= today and (row.valid_to is None or today <= row.valid_to)
    )


def hub_today(timezone: str, now: datetime | None = None) -> date:
    """Today (or the day of ``now``) in the hub's time zone: the day agreement dates are counted in."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(timezone)).date()


@dataclass(frozen=True)
class Grant:
    """What one active agreement allows a client for one service."""

    number: str
    purpose: str
    fields: FieldTree | None  # None: every field
    require_issue: bool
    oversight: bool = False
    confidential_days: int = 0


@dataclass(frozen=True)
class Terms:
    """What the usage report needs of any agreement, active or not (entries cite old ones too)."""

    number: str
    client: str
    purpose: str
    confidential_days: int


class AgreementBook:
    """Active agreements by (client, service), reloaded from the database at most every ``ttl`` s."""

    def __init__(
        self,
        agreements: AgreementStore,
        ttl: float = 5.0,
        timezone: str = "Asia/Bishkek",
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.agreements = agreements
        self.ttl = ttl
        self.timezone = timezone
        self.clock = clock
        self._grants: dict[tuple[str, str], Grant] = {}
        self._terms: dict[str, Terms] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def _load(self) -> None:
        today = hub_today(self.timezone, self.clock.now())
        grants: dict[tuple[str, str], Grant] = {}
        rows = self.agreements.rows()
        # newest first, so when two agreements cover the same call the most recent one is cited
        for row in sorted(rows, key=lambda r: (r.valid_from, r.number), reverse=True):
            if not is_active(row, today):
                continue
            for service in row.services:
                grants.setdefault(
                    (row.client, service),
                    Grant(
                        row.number,
                        row.purpose,
                        tree_of(BY_CODE[service], row.fields.get(service, ())),
                        bool(row.require_issue),
                        bool(row.oversight),
                        int(row.confidential_days),
                    ),
                )
        self._grants = grants
        self._terms = {r.number: Terms(r.number, r.client, r.purpose, int(r.confidential_days)) for r in rows}

    def _fresh(self) -> None:
        now = self.clock.monotonic()
        if now - self._loaded_at >= self.ttl:
            with self._lock:
                if now - self._loaded_at >= self.ttl:
                    self._load()
                    self._loaded_at = now

    def grant(self, client: ClientId, service_code: str) -> Grant | None:
        self._fresh()
        return self._grants.get((str(client), service_code))

    def terms(self, number: str) -> Terms | None:
        """Any agreement's terms by number (revoked and expired ones too)."""
        self._fresh()
        return self._terms.get(number)
