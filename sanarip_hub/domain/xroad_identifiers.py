"""X-Road client, service and security-server identifiers with their string forms.

Identifier parts may contain only ``A-Z a-z 0-9`` and ``' ( ) + , - . = ?`` (PR-MESS 4.0.25,
PR-REST 1.0.3): no ``/``, ``:``, ``%``, ``;``, spaces or non-ASCII, which is what keeps the slash-
and colon-separated string forms unambiguous.

String forms (as in the X-Road documentation and REST headers):

* ``MEMBER:INST/CLASS/CODE`` and ``SUBSYSTEM:INST/CLASS/CODE/SUB`` (clients);
* ``SERVICE:INST/CLASS/CODE/SUB/SERVICE[/VERSION]`` (services of a subsystem, the only kind Tunduk
  uses; a service of a member without a subsystem is written ``SERVICE:INST/CLASS/CODE//SERVICE``
  only in this project's own output, never parsed from peers);
* the REST ``X-Road-Client`` header: ``INST/CLASS/CODE[/SUB]``, each part percent-encoded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, unquote

from sanarip_hub.errors import InvalidIdentifier

_PART = re.compile(r"[A-Za-z0-9'()+,\-.=?]+")
# The X-Road-Client header as the OpenAPI document describes it: 3 or 4 parts of allowed characters
REST_CLIENT_PATTERN = r"^[A-Za-z0-9'()+,\-.=?]+(/[A-Za-z0-9'()+,\-.=?]+){2,3}$"


class ObjectType(StrEnum):
    MEMBER = "MEMBER"
    SUBSYSTEM = "SUBSYSTEM"
    SERVICE = "SERVICE"
    SERVER = "SERVER"


def check_part(value: str, what: str) -> str:
    """Validate one identifier part against the allowed-character rule."""
    if not isinstance(value, str) or not _PART.fullmatch(value):
        raise InvalidIdentifier(f"{what} {value!r} may only contain A-Z a-z 0-9 ' ( ) + , - . = ?")
    return value


@dataclass(frozen=True, order=True)
class ClientId:
    """A member or subsystem: who calls (and, for the hub, who it is)."""

    instance: str
    member_class: str
    member_code: str
    subsystem: str | None = None

    def __post_init__(self) -> None:
        check_part(self.instance, "xRoadInstance")
        check_part(self.member_class, "memberClass")
        check_part(self.member_code, "memberCode")
        if self.subsystem is not None:
            check_part(self.subsystem, "subsystemCode")

    @property
    def object_type(self) -> ObjectType:
        return ObjectType.SUBSYSTEM if self.subsystem is not None else ObjectType.MEMBER

    def path(self) -> str:
        parts = [self.instance, self.member_class, self.member_code]
        if self.subsystem is not None:
            parts.append(self.subsystem)
        return "/".join(parts)

    def __str__(self) -> str:
        return f"{self.object_type}:{self.path()}"

    def header_parts(self) -> list[tuple[str, str | None]]:
        """The ``id:`` elements of this identifier in a protocol 4.0 header, in schema order."""
        return [
            ("xRoadInstance", self.instance),
            ("memberClass", self.member_class),
            ("memberCode", self.member_code),
            ("subsystemCode", self.subsystem),
        ]

    @classmethod
    def parse(cls, text: str) -> ClientId:
        """Read ``MEMBER:…``/``SUBSYSTEM:…`` or a bare ``INST/CLASS/CODE[/SUB]``."""
        kind, sep, rest = text.partition(":")
        if not sep:
            kind, rest = "", text
        parts = rest.split("/")
        if (kind == "MEMBER" and len(parts) == 3) or (kind == "SUBSYSTEM" and len(parts) == 4):
            return cls(*parts)
        if kind == "" and len(parts) in (3, 4):
            return cls(*parts)
        raise InvalidIdentifier(f"not a client identifier: {text!r}")

    @classmethod
    def from_rest_header(cls, value: str) -> ClientId:
        """The ``X-Road-Client`` header: percent-encoded parts separated by ``/``."""
        parts = [unquote(part) for part in value.strip().split("/")]
        if len(parts) not in (3, 4):
            raise InvalidIdentifier(f"X-Road-Client must be INSTANCE/CLASS/CODE[/SUBSYSTEM], got {value!r}")
        return cls(*parts)

    def rest_header(self) -> str:
        return "/".join(quote(part, safe="") for part in self.path().split("/"))


@dataclass(frozen=True, order=True)
class ServiceId:
    """A service of a subsystem (or member), optionally versioned."""

    client: ClientId
    service_code: str
    version: str | None = None

    def __post_init__(self) -> None:
        check_part(self.service_code, "serviceCode")
        if self.version is not None:
            check_part(self.version, "serviceVersion")

    @property
    def provider(self) -> ClientId:
        return self.client

    def path(self) -> str:
        parts = [
            self.client.path() if self.client.subsystem is not None else self.client.path() + "/",
            self.service_code,
        ]
        if self.version is not None:
            parts.append(self.version)
        return "/".join(parts)

    def __str__(self) -> str:
        return f"SERVICE:{self.path()}"

    def header_parts(self) -> list[tuple[str, str | None]]:
        """The ``id:`` elements of this identifier in a protocol 4.0 header, in schema order."""
        return [
            *self.client.header_parts(),
            ("serviceCode", self.service_code),
            ("serviceVersion", self.version),
        ]

    @classmethod
    def parse(cls, text: str) -> ServiceId:
        """Read ``SERVICE:INST/CLASS/CODE/SUB/SERVICE[/VERSION]`` (the ``SERVICE:`` prefix optional)."""
        rest = text.removeprefix("SERVICE:")
        parts = rest.split("/")
        if len(parts) == 5:
            if parts[3] == "":  # this project's own member-level form INST/CLASS/CODE//SERVICE
                return cls(ClientId(*parts[:3]), parts[4])
            return cls(ClientId(*parts[:4]), parts[4])
        if len(parts) == 6:
            if parts[3] == "":  # this project's own member-level form INST/CLASS/CODE//SERVICE/VERSION
                return cls(ClientId(*parts[:3]), parts[4], parts[5] or None)
            return cls(ClientId(*parts[:4]), parts[4], parts[5])
        raise InvalidIdentifier(f"not a service identifier: {text!r}")
