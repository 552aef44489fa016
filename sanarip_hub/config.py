"""Settings: ``config.example.toml`` made typed, validated and overridable.

Order of precedence, lowest first: built-in defaults, the TOML file (``--config FILE`` or
``SANARIP_HUB_CONFIG``), then environment variables ``SANARIP_HUB_<SECTION>_<KEY>`` (so ``[database]
url`` is ``SANARIP_HUB_DATABASE_URL``).  ``SANARIP_HUB_HOME`` names the data directory that holds the
embedded SQLite database, keys and archives; relative paths in settings are resolved against it.

Everything is checked at start-up.  A bad value raises :class:`~sanarip_hub.errors.ConfigError`
naming the ``section.key`` and the file or variable it came from, so a typo never surfaces later as a
confusing runtime failure.  Unknown keys are errors for the same reason.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.errors import ConfigError, InvalidIdentifier

ENV_PREFIX = "SANARIP_HUB_"
ENV_CONFIG = "SANARIP_HUB_CONFIG"
ENV_HOME = "SANARIP_HUB_HOME"
DEFAULT_HOME = "./var"

Parser = Callable[[Any], Any]


class _Bad(ValueError):
    """Raised by a value parser; the loader adds key and source."""


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected a string, got {value!r}")
    return value


def _integer(low: int, high: int) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise _Bad(f"expected a whole number, got {value!r}")
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise _Bad(f"expected a whole number, got {value!r}") from None
        if not isinstance(value, int):
            raise _Bad(f"expected a whole number, got {value!r}")
        if not low <= value <= high:
            raise _Bad(f"must be between {low} and {high}, got {value}")
        return value

    return parse


def _number(low: float, high: float) -> Parser:
    def parse(value: Any) -> float:
        if isinstance(value, bool):
            raise _Bad(f"expected a number, got {value!r}")
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise _Bad(f"expected a number, got {value!r}") from None
        if not isinstance(value, int | float):
            raise _Bad(f"expected a number, got {value!r}")
        if not low <= float(value) <= high:
            raise _Bad(f"must be between {low:g} and {high:g}, got {value}")
        return float(value)

    return parse


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
    raise _Bad(f"expected true or false, got {value!r}")


def _choice(*choices: str) -> Parser:
    def parse(value: Any) -> str:
        text = _string(value)
        if text not in choices:
            raise _Bad(f"must be one of {', '.join(choices)}, got {text!r}")
        return text

    return parse


def _roles(value: Any) -> tuple[str, ...]:
    """Console roles: a list in a file, ``a,b`` in an environment variable, empty for none."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise _Bad("expected a list of console roles")
    known = ("operator", "auditor", "lsg_user", "administrator", "owner")
    roles = tuple(i.strip() for i in items if i.strip())
    for role in roles:
        if role not in known:
            raise _Bad(f"not a console role: {role!r} (one of {', '.join(known)})")
    return roles


def _request_threads(value: Any) -> str:
    """``auto`` or a whole number 0–200, kept as text (an environment variable is text too)."""
    text = str(value).strip() if not isinstance(value, bool) else ""
    if text == "auto":
        return text
    return str(_integer(0, 200)(value))


def _consumer(value: Any) -> str:
    """The nightly jobs' consumer: only the prepared one since zeep left the production path."""
    text = _string(value)
    if text == "zeep":
        raise _Bad(
            "zeep is no longer a production consumer (it is the independent check in tests and bench/); "
            'set "prepared" or leave the setting out'
        )
    if text != "prepared":
        raise _Bad(f"must be prepared, got {text!r}")
    return text


def _database_url(value: Any) -> str:
    text = _string(value).strip()
    if text and not re.match(r"^(sqlite|postgresql)(\+[a-z0-9]+)?://", text):
        raise _Bad(f"expected a sqlite:/// or postgresql+psycopg:// URL, got {text!r}")
    return text


def _schema_name(value: Any) -> str:
    text = _string(value).strip()
    if text and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", text):
        raise _Bad(f"expected a lower-case SQL identifier, got {text!r}")
    return text


def _http_url(value: Any) -> str:
    text = _string(value).strip()
    if not re.match(r"^https?://[^\s/]+", text):
        raise _Bad(f"expected an http:// or https:// URL, got {text!r}")
    return text.rstrip("/")


def _subsystem_id(value: Any) -> str:
    """``INSTANCE/CLASS/MEMBER/SUBSYSTEM``, by the one identifier rule (:mod:`.domain.xroad_identifiers`)."""
    text = _string(value).strip()
    try:
        valid = "/" in text and ClientId.parse(text).subsystem is not None and ":" not in text
    except InvalidIdentifier as exc:
        raise _Bad(f"expected INSTANCE/CLASS/MEMBER/SUBSYSTEM, got {text!r}: {exc}") from None
    if not valid:
        raise _Bad(f"expected INSTANCE/CLASS/MEMBER/SUBSYSTEM, got {text!r}")
    return text


def _service_id(value: Any) -> str:
    """``INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/VERSION]``, by the one identifier rule."""
    text = _string(value).strip()
    try:
        valid = ":" not in text and ServiceId.parse(text).client.subsystem is not None
    except InvalidIdentifier as exc:
        raise _Bad(
            f"expected INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/VERSION], got {text!r}: {exc}"
        ) from None
    if not valid:
        raise _Bad(f"expected INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/VERSION], got {text!r}")
    return text


def _timezone(value: Any) -> str:
    text = _string(value).strip()
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Bad(f"unknown time zone {text!r}") from None
    return text


_CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")


def _listen(value: Any) -> str:
    text = _string(value).strip()
    if text and not re.fullmatch(r"(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-]+):([0-9]{1,5})", text):
        raise _Bad(f"expected HOST:PORT such as 127.0.0.1:8090, got {text!r}")
    if text and not 0 < int(text.rsplit(":", 1)[1]) < 65536:
        raise _Bad(f"port out of range in {text!r}")
    return text


_WITNESS = re.compile(r"(https?://\S+)\s+([^\s+]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/]+=*)")


def _witnesses(value: Any) -> tuple[str, ...]:
    """``["URL KEY", …]`` in a file, or ``URL KEY; URL KEY`` in an environment variable: each a
    witness URL and its cosigner verifier key (``name+hex8+base64``; the ledger checks the key)."""
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise _Bad("expected a list of 'URL VERIFIER-KEY' strings")
    found = []
    for item in (i.strip() for i in items if i.strip()):
        matched = _WITNESS.fullmatch(item)
        if matched is None:
            raise _Bad(f"a witness is 'URL VERIFIER-KEY' (key name+hex8+base64), got {item!r}")
        found.append(f"{matched.group(1).rstrip('/')} {matched.group(2)}")
    return tuple(found)


def _cron(value: Any) -> str:
    text = " ".join(_string(value).split())
    fields = text.split(" ")
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise _Bad(f"expected a five-field cron expression such as '0 2 * * *', got {text!r}")
    return text


def _path(value: Any) -> Path:
    return Path(_string(value)).expanduser()


def _optional_path(value: Any) -> Path | None:
    text = _string(value).strip()
    return Path(text).expanduser() if text else None


def _setting(default: Any, parse: Parser, doc: str) -> Any:
    return field(default=default, metadata={"parse": parse, "doc": doc})


@dataclass(frozen=True)
class HubSettings:
    """[hub]: where the hub keeps its files and how it logs."""

    home: Path = _setting(Path(DEFAULT_HOME), _path, "data directory (SQLite database, keys, archives)")
    log_format: str = _setting("auto", _choice("auto", "json", "console"), "auto = console on a terminal")
    log_level: str = _setting("info", _choice("debug", "info", "warning", "error"), "minimum level")
    timezone: str = _setting(
        "Asia/Bishkek", _timezone, "the hub's time zone: agreement dates are days in it, reports show it"
    )


@dataclass(frozen=True)
class DatabaseSettings:
    """[database]: the hub database (embedded SQLite by default, PostgreSQL in production)."""

    url: str = _setting("", _database_url, "SQLAlchemy URL; empty = SQLite file in hub.home")
    schema: str = _setting("", _schema_name, "PostgreSQL schema to use (empty = search_path default)")
    connect_timeout: int = _setting(5, _integer(1, 60), "seconds before an unreachable database is an error")
    pool_size: int = _setting(5, _integer(1, 100), "connections kept per process (PostgreSQL)")
    echo: bool = _setting(False, _boolean, "log every SQL statement (debugging only)")


@dataclass(frozen=True)
class XRoadSettings:
    """[xroad]: the hub's own identity in Tunduk and the security server it talks through."""

    subsystem: str = _setting(
        "central-server/GOV/70000050/sanaripaymak-service", _subsystem_id, "the hub's X-Road subsystem"
    )
    security_server_url: str = _setting("http://127.0.0.1:8080", _http_url, "consumer side: security server")
    protocol_version: str = _setting("4.0", _choice("4.0"), "SOAP message protocol version")
    timeout: float = _setting(30.0, _number(0.1, 600), "default seconds per outgoing call")
    shared_params: Path | None = _setting(
        None,
        _optional_path,
        "the security server's global configuration shared-params.xml (member names); empty = none",
    )


@dataclass(frozen=True)
class ConsumerSettings:
    """[consumers]: identifiers of the registry services the hub calls."""

    civil_registry: str = _setting(
        "central-server/GOV/70000005/zags-service/zagsDataByPin", _service_id, "person by PIN"
    )
    address_bureau: str = _setting(
        "central-server/GOV/70000005/asb-service/asbAddress", _service_id, "registered address by PIN"
    )
    pin_search: str = _setting(
        "central-server/GOV/70000005/zags-service/zagsPinsByNSPDate",
        _service_id,
        "PINs by name and birth date (people the register has no PIN for)",
    )
    tax: str = _setting(
        "central-server/GOV/70000002/gns-service/tpDataByINNforBusinessActivity",
        _service_id,
        "business activity by PIN/INN",
    )
    civil_registry_timeout: float = _setting(10.0, _number(0.1, 600), "seconds per zagsDataByPin call")
    address_bureau_timeout: float = _setting(10.0, _number(0.1, 600), "seconds per asbAddress call")
    pin_search_timeout: float = _setting(10.0, _number(0.1, 600), "seconds per zagsPinsByNSPDate call")
    tax_timeout: float = _setting(20.0, _number(0.1, 600), "seconds per tax-service call")
    address_crosswalk: Path | None = _setting(
        None,
        _optional_path,
        "the address bureau's codes → СОАТЕ (CSV bureau_code,soate); empty = <home>/address-crosswalk.csv "
        "when it exists, else registered addresses are not compared",
    )
    attempts: int = _setting(6, _integer(1, 20), "tries per call for retryable failures")
    breaker_threshold: int = _setting(5, _integer(1, 1000), "failures in a row that open the circuit")
    breaker_pause: float = _setting(10.0, _number(0.01, 3600), "seconds the circuit stays open")
    breaker_give_up: int = _setting(3, _integer(1, 100), "openings in a row that stop a sync run")
    client: str = _setting(
        "prepared",
        _consumer,
        "nightly jobs' consumer: the contract-prepared one (zeep is the check in tests and bench/)",
    )


@dataclass(frozen=True)
class ScheduleSettings:
    """[schedule]: when the nightly reconciliation jobs run."""

    timezone: str = _setting("Asia/Bishkek", _timezone, "time zone of the cron expressions")
    civil_registry: str = _setting("0 2 * * *", _cron, "civil-registry reconciliation")
    tax: str = _setting("30 2 * * *", _cron, "tax-service reconciliation")
    ledger_verify: str = _setting("0 4 * * *", _cron, "full ledger verification (the dashboard shows it)")
    contracts_check: str = _setting(
        "30 1 * * *", _cron, "consumed services' contracts checked against our models, before the runs"
    )
    skip_drifted: bool = _setting(
        False, _boolean, "skip the nightly run of a source whose contract check found a breaking drift"
    )
    join_every: float = _setting(
        30.0, _number(0.5, 3600), "seconds between a standby scheduler's looks for a live run to join"
    )


@dataclass(frozen=True)
class LedgerSettings:
    """[ledger]: the tamper-evident exchange and access ledger."""

    signing_key: Path = _setting(
        Path("keys/ledger.skey"), _path, "Ed25519 checkpoint signer key (note format)"
    )
    public_key: Path = _setting(Path("keys/ledger.vkey"), _path, "verifier key: all an auditor needs")
    pin_key: Path = _setting(Path("keys/ledger-pin.key"), _path, "secret for keyed PIN hashes")
    checkpoint_interval: int = _setting(300, _integer(1, 86400), "seconds between signed checkpoints")
    retention_days: int = _setting(3650, _integer(1, 36500), "days before entries move to archives")
    archive_dir: Path = _setting(Path("archive"), _path, "where archive segments are written")
    checkpoint_log: Path = _setting(
        Path("checkpoints.log"), _path, "every signed checkpoint, appended outside the database"
    )
    witnesses: tuple[str, ...] = _setting(
        (), _witnesses, "C2SP tlog-witness servers that cosign checkpoints: 'URL VERIFIER-KEY' each"
    )
    witness_timeout: float = _setting(5.0, _number(0.1, 120), "seconds per witness request")
    verify_workers: int = _setting(
        0, _integer(0, 64), "processes checking the ledger in parallel; 0 = one per core"
    )


@dataclass(frozen=True)
class CertificateSettings:
    """[certificates]: the signed certificates LSG bodies issue as X-Road answers."""

    valid_days: int = _setting(
        30, _integer(1, 3660), "days a certificate is valid after the day it is issued (its validUntil)"
    )
    keys_dir: Path = _setting(
        Path("keys/lsg"),
        _path,
        "each LSG body's signing key and certificate, <СОАТЕ>.key and <СОАТЕ>.crt (PEM); a body without "
        "them signs with the hub's [producer] certificate_key, and its certificates say so",
    )
    font: Path = _setting(
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        _path,
        "a TrueType font with Cyrillic for printable copies (Debian: fonts-dejavu-core)",
    )


@dataclass(frozen=True)
class ProducerSettings:
    """[producer]: the X-Road producer web app (SOAP and REST)."""

    host: str = _setting("127.0.0.1", _string, "listen address")
    port: int = _setting(8080, _integer(1, 65535), "listen port")
    workers: int = _setting(1, _integer(1, 64), "worker processes")
    tls_cert: Path | None = _setting(None, _optional_path, "server certificate (PEM); empty = plain HTTP")
    tls_key: Path | None = _setting(None, _optional_path, "server private key (PEM)")
    tls_client_ca: Path | None = _setting(None, _optional_path, "CA of the security server's client cert")
    certificate_key: Path = _setting(
        Path("keys/lsg-certificate.key"), _path, "private key (PEM) signing familyComposition certificates"
    )
    certificate_cert: Path = _setting(
        Path("keys/lsg-certificate.crt"),
        _path,
        "the LSG's X.509 certificate (PEM) embedded in each signature",
    )
    agreement_cache_seconds: float = _setting(
        5.0, _number(0, 3600), "how long agreements are cached; a revocation takes effect within it"
    )
    request_threads: str = _setting(
        "auto",
        _request_threads,
        "threads per worker for requests' database work: 0 = on the event loop, one request at a time "
        "(as spyne's best setup); N = a pool of N; auto = 0 when the database is on this host (SQLite, "
        "PostgreSQL on a Unix socket or loopback), else the pool size less one",
    )
    rest_no_household: str = _setting(
        "code405",
        _choice("code405", "not-found"),
        'REST answer for a person in no household: code405 = 200 {"code":405} as the running '
        "service answers (FACTS 2.3); not-found = 404 NO_HOUSEHOLD in the security server's error shape",
    )


@dataclass(frozen=True)
class ConsoleSettings:
    """[console]: the operator and auditor web console."""

    default_language: str = _setting("ky", _choice("ky", "ru", "en"), "language before the user picks one")
    session_minutes: int = _setting(30, _integer(1, 1440), "idle minutes before a session expires")
    max_failed_logins: int = _setting(
        5, _integer(1, 100), "failed logins from one address before the account locks for that address"
    )
    lockout_minutes: int = _setting(15, _integer(1, 1440), "how long a locked account stays locked")
    max_failed_logins_per_address: int = _setting(
        20, _integer(1, 10000), "failed logins from one address (any names) before it is refused"
    )
    listen: str = _setting(
        "",
        _listen,
        "HOST:PORT of the console's own listener (with /metrics, /readyz); empty = the producer's",
    )
    second_factor_roles: tuple[str, ...] = _setting(
        ("administrator", "auditor"),
        _roles,
        "roles that sign in with a one-time code (TOTP) after the password",
    )


@dataclass(frozen=True)
class LimitSettings:
    """[limits]: guards against hostile or runaway input."""

    max_body_bytes: int = _setting(10 * 1024 * 1024, _integer(1024, 1 << 30), "largest accepted message")
    max_xml_depth: int = _setting(100, _integer(8, 10000), "deepest accepted XML nesting")
    max_header_bytes: int = _setting(
        32 * 1024, _integer(1024, 1 << 20), "request line and headers; more is refused with 431"
    )
    header_timeout: float = _setting(10.0, _number(0.1, 600), "seconds to send complete headers (408)")
    body_timeout: float = _setting(60.0, _number(0.1, 3600), "seconds to send the body after headers (408)")
    idle_timeout: int = _setting(15, _integer(1, 3600), "seconds a kept-alive connection may idle")
    max_connections: int = _setting(1000, _integer(1, 100_000), "open connections per worker (503 beyond)")
    max_in_flight: int = _setting(
        128, _integer(1, 100_000), "requests in the application per worker (503 Server.Overloaded beyond)"
    )
    sync_concurrency: int = _setting(32, _integer(1, 256), "parallel calls per sync job")
    sync_chunk: int = _setting(250, _integer(1, 100_000), "people per checkpoint of a sync run")


@dataclass(frozen=True)
class Settings:
    """All settings, plus where each came from (for error messages naming the source)."""

    hub: HubSettings = field(default_factory=HubSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    xroad: XRoadSettings = field(default_factory=XRoadSettings)
    consumers: ConsumerSettings = field(default_factory=ConsumerSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    ledger: LedgerSettings = field(default_factory=LedgerSettings)
    producer: ProducerSettings = field(default_factory=ProducerSettings)
    certificates: CertificateSettings = field(default_factory=CertificateSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        """The effective database URL: the configured one, or the SQLite file in ``hub.home``."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.hub.home / 'sanarip-hub.sqlite3').resolve()}"

    def home_path(self, path: Path) -> Path:
        """Resolve a configured path against ``hub.home`` unless it is absolute."""
        return path if path.is_absolute() else self.hub.home / path

    def source_of(self, key: str) -> str:
        """Where ``section.key`` was set: a file, an environment variable, or ``defaults``."""
        return self.sources.get(key, "defaults")


SECTIONS: dict[str, type[Any]] = {
    "hub": HubSettings,
    "database": DatabaseSettings,
    "xroad": XRoadSettings,
    "consumers": ConsumerSettings,
    "schedule": ScheduleSettings,
    "ledger": LedgerSettings,
    "producer": ProducerSettings,
    "certificates": CertificateSettings,
    "console": ConsoleSettings,
    "limits": LimitSettings,
}


def _parse(section: str, key: str, raw: Any, source: str) -> Any:
    """Run the parser of ``section.key`` over ``raw``, naming key and source on failure."""
    fields = {f.name: f for f in dataclasses.fields(SECTIONS[section])}
    if key not in fields:
        raise ConfigError(f"{section}.{key}", source, "unknown setting")
    try:
        return fields[key].metadata["parse"](raw)
    except _Bad as exc:
        raise ConfigError(f"{section}.{key}", source, str(exc)) from None


def _env_key(name: str) -> tuple[str, str] | None:
    """Split ``SANARIP_HUB_DATABASE_URL`` into ``("database", "url")``; None if no section matches."""
    rest = name[len(ENV_PREFIX) :].lower()
    for section in sorted(SECTIONS, key=len, reverse=True):
        if rest.startswith(section + "_"):
            return section, rest[len(section) + 1 :]
    return None


def load_settings(
    config_file: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str]
) -> Settings:
    """Build :class:`Settings` from defaults, the TOML file and ``environ`` (the ``SANARIP_HUB_*``
    overrides; the composition root passes the process's environment, tests their own).

    ``config_file`` wins over ``SANARIP_HUB_CONFIG``; with neither, no file is read and the hub runs
    on defaults.  Raises :class:`ConfigError` on the first bad value.
    """
    env = dict(environ)
    values: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    sources: dict[str, str] = {}

    path_text = str(config_file) if config_file is not None else env.get(ENV_CONFIG, "")
    if path_text:
        path = Path(path_text)
        source = str(path)
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("config", source, "file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError("config", source, f"cannot read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("config", source, f"not valid TOML: {exc}") from None
        for section, table in document.items():
            if section not in SECTIONS:
                raise ConfigError(section, source, "unknown section")
            if not isinstance(table, dict):
                raise ConfigError(section, source, "expected a [section] table")
            for key, raw in table.items():
                values[section][key] = _parse(section, key, raw, source)
                sources[f"{section}.{key}"] = source

    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or name in (ENV_CONFIG, ENV_HOME):
            continue
        split = _env_key(name)
        if split is None:
            continue  # SANARIP_HUB_DEBUG and friends are not settings
        section, key = split
        values[section][key] = _parse(section, key, env[name], name)
        sources[f"{section}.{key}"] = name
    if env.get(ENV_HOME):
        values["hub"]["home"] = _parse("hub", "home", env[ENV_HOME], ENV_HOME)
        sources["hub.home"] = ENV_HOME

    built = {name: cls(**values[name]) for name, cls in SECTIONS.items()}
    settings = Settings(**built, sources=sources)
    _check_consistency(settings)
    return settings


def _check_consistency(settings: Settings) -> None:
    """Rules that span several keys."""
    producer = settings.producer
    if (producer.tls_cert is None) != (producer.tls_key is None):
        key = "producer.tls_cert" if producer.tls_key is None else "producer.tls_key"  # the one that is set
        raise ConfigError(key, settings.source_of(key), "tls_cert and tls_key must be set together")
    if producer.tls_client_ca is not None and producer.tls_cert is None:
        key = "producer.tls_client_ca"
        raise ConfigError(key, settings.source_of(key), "mutual TLS needs tls_cert and tls_key as well")
    url = settings.database.url
    if settings.database.schema and url and not url.startswith("postgresql"):
        key = "database.schema"
        raise ConfigError(key, settings.source_of(key), "a schema is only meaningful on PostgreSQL")


def describe() -> list[tuple[str, str, str]]:
    """Every setting as ``(section.key, default, doc)``: the source of truth for the example file."""
    rows = []
    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            rows.append((f"{section}.{f.name}", repr(f.default), f.metadata["doc"]))
    return rows
