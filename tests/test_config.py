"""Settings: precedence, validation messages naming key and source, and the documented example."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from sanarip_hub.config import describe, load_settings
from sanarip_hub.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_config(tmp_path: Path) -> None:
    settings = load_settings(environ={"SANARIP_HUB_HOME": str(tmp_path)})
    assert settings.xroad.subsystem == "central-server/GOV/70000050/sanaripaymak-service"
    assert settings.schedule.timezone == "Asia/Bishkek"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/sanarip-hub.sqlite3"
    assert settings.home_path(settings.ledger.signing_key) == tmp_path / "keys/ledger.skey"
    assert settings.source_of("database.url") == "defaults"


def test_default_home_is_var() -> None:
    assert load_settings(environ={}).hub.home == Path("./var")


def test_file_then_environment_precedence(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite:///from-file.db"\nconnect_timeout = 7\n')
    env = {
        "SANARIP_HUB_DATABASE_URL": "postgresql+psycopg://u@h/db",
        "SANARIP_HUB_XROAD_SECURITY_SERVER_URL": "https://ss.example/",
    }
    settings = load_settings(path, environ=env)
    assert settings.database.url == "postgresql+psycopg://u@h/db"
    assert settings.database.connect_timeout == 7
    assert settings.xroad.security_server_url == "https://ss.example"
    assert settings.source_of("database.url") == "SANARIP_HUB_DATABASE_URL"
    assert settings.source_of("database.connect_timeout") == str(path)


def test_config_file_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[schedule]\ntax = "15 3 * * *"\n')
    settings = load_settings(environ={"SANARIP_HUB_CONFIG": str(path)})
    assert settings.schedule.tax == "15 3 * * *"


def test_explicit_file_wins_over_environment_file(tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text('[hub]\nlog_level = "error"\n')
    path = write(tmp_path, '[hub]\nlog_level = "debug"\n')
    assert load_settings(path, environ={"SANARIP_HUB_CONFIG": str(other)}).hub.log_level == "debug"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[database]\nconnect_timeout = "soon"\n',
            "database.connect_timeout in {file}: expected a whole number",
        ),
        ("[database]\nconnect_timeout = 0\n", "database.connect_timeout in {file}: must be between 1 and 60"),
        ('[database]\nurl = "mysql://x"\n', "database.url in {file}: expected a sqlite:/// or postgresql"),
        (
            '[xroad]\nsubsystem = "central-server/GOV/70000050"\n',
            "xroad.subsystem in {file}: expected INSTANCE",
        ),
        (
            '[xroad]\nsecurity_server_url = "ss1:8080"\n',
            "xroad.security_server_url in {file}: expected an http",
        ),
        ('[schedule]\ntimezone = "Asia/Frunze-ish"\n', "schedule.timezone in {file}: unknown time zone"),
        (
            '[schedule]\ncivil_registry = "nightly"\n',
            "schedule.civil_registry in {file}: expected a five-field",
        ),
        ('[hub]\nlog_level = "loud"\n', "hub.log_level in {file}: must be one of debug, info"),
        ("[database]\nechoo = true\n", "database.echoo in {file}: unknown setting"),
        ("[databse]\nurl = ''\n", "databse in {file}: unknown section"),
        ('database = "x"\n', "database in {file}: expected a [section] table"),
        ("[database\n", "config in {file}: not valid TOML"),
        ('[producer]\ntls_cert = "c.pem"\n', "producer.tls_cert in {file}: tls_cert and tls_key must be set"),
        ('[producer]\ntls_client_ca = "ca.pem"\n', "producer.tls_client_ca in {file}: mutual TLS"),
    ],
)
def test_bad_values_name_key_and_file(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    message = str(caught.value)
    assert expected.format(file=path) in message, message
    assert "\n" not in message


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(
        ConfigError,
        match=r"limits\.max_body_bytes in SANARIP_HUB_LIMITS_MAX_BODY_BYTES: "
        r"expected a whole number, got '10MB'",
    ):
        load_settings(environ={"SANARIP_HUB_LIMITS_MAX_BODY_BYTES": "10MB"})


def test_unknown_environment_key_in_known_section_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"database\.uri in SANARIP_HUB_DATABASE_URI: unknown setting"):
        load_settings(environ={"SANARIP_HUB_DATABASE_URI": "x"})


def test_environment_variables_that_are_not_settings_are_ignored() -> None:
    load_settings(environ={"SANARIP_HUB_DEBUG": "1", "SANARIP_HUB_TEST_PG_URL": "x"})


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=f"config in {tmp_path}/nope.toml: file not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_booleans_from_environment() -> None:
    assert load_settings(environ={"SANARIP_HUB_DATABASE_ECHO": "yes"}).database.echo is True
    with pytest.raises(ConfigError, match="expected true or false"):
        load_settings(environ={"SANARIP_HUB_DATABASE_ECHO": "maybe"})


def test_schema_only_on_postgresql() -> None:
    with pytest.raises(
        ConfigError, match=r"database\.schema in SANARIP_HUB_DATABASE_SCHEMA: a schema is only"
    ):
        load_settings(
            environ={"SANARIP_HUB_DATABASE_URL": "sqlite:///x.db", "SANARIP_HUB_DATABASE_SCHEMA": "a"}
        )


def test_example_file_documents_every_setting_and_loads() -> None:
    example = ROOT / "config.example.toml"
    document = tomllib.loads(example.read_text(encoding="utf-8"))
    documented = {f"{section}.{key}" for section, table in document.items() for key in table}
    assert documented == {key for key, _, _ in describe()}
    settings = load_settings(example, environ={})
    assert settings.xroad.subsystem == "central-server/GOV/70000050/sanaripaymak-service"


@pytest.mark.parametrize(
    ("value", "backend", "host", "threads"),
    [
        ("auto", "sqlite", None, 0),
        ("auto", "postgresql", "127.0.0.1", 0),
        ("auto", "postgresql", None, 0),  # a Unix socket
        ("auto", "postgresql", "db.aimak.kg", 4),
        ("0", "postgresql", "db.aimak.kg", 0),
        ("8", "sqlite", None, 8),
    ],
)
def test_request_threads(value: str, backend: str, host: str | None, threads: int) -> None:
    """``[producer] request_threads``: auto is the event loop when the database is on this host and
    the pool less one (default pool 5) across a network; a number is that many threads, 0 the loop."""
    from sanarip_hub.entrypoints.web import request_threads

    settings = load_settings(environ={"SANARIP_HUB_PRODUCER_REQUEST_THREADS": value})
    assert request_threads(settings, backend, host) == threads


@pytest.mark.parametrize("value", ["-1", "many", "201"])
def test_request_threads_refuses_what_is_not_a_count(value: str) -> None:
    with pytest.raises(
        ConfigError, match=r"producer\.request_threads in SANARIP_HUB_PRODUCER_REQUEST_THREADS"
    ):
        load_settings(environ={"SANARIP_HUB_PRODUCER_REQUEST_THREADS": value})
