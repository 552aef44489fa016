"""The one exception tree of Sanarip Hub.

Every error the hub raises on purpose derives from :class:`HubError`.  The CLI turns any of them
into one clear line and exit status 1; later the X-Road producer maps the same tree onto SOAP faults
and REST errors, so each failure has exactly one shape wherever it surfaces.
"""

from __future__ import annotations


class HubError(Exception):
    """Root of every deliberate Sanarip Hub error.

    ``code`` is a short machine-readable identifier (stable across releases) that operators'
    scripts and, later, X-Road fault codes can rely on; the message is for people.
    """

    code = "hub"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(HubError):
    """A setting is missing, malformed or out of range.

    ``key`` is the dotted ``section.key`` name and ``source`` the file or environment variable
    that supplied the bad value, so the one-line message tells the operator exactly what to fix.
    """

    code = "config"

    def __init__(self, key: str, source: str, problem: str) -> None:
        self.key = key
        self.source = source
        self.problem = problem
        super().__init__(f"invalid configuration: {key} in {source}: {problem}")


class ValidationError(HubError):
    """A value violates a domain rule (PIN or СОАТЕ format, an impossible date, …)."""

    code = "validation"


class StorageError(HubError):
    """The database could not do what was asked."""

    code = "storage"


class DatabaseUnavailable(StorageError):
    """The database cannot be reached or opened."""

    code = "storage.unavailable"


class DatabaseNotEmpty(StorageError):
    """A destructive or duplicating operation was refused because the database holds data."""

    code = "storage.not_empty"


class SchemaNotCurrent(StorageError):
    """The database schema is not at the revision this code expects (run ``db upgrade``)."""

    code = "storage.schema"


class BackupError(StorageError):
    """A backup or restore failed or was refused."""

    code = "storage.backup"


class SeedError(HubError):
    """The synthetic-country generator was given impossible parameters."""

    code = "seed"
