"""X-Road members by name, from the global configuration's ``shared-params.xml``.

Every security server downloads its instance's global configuration; ``shared-params.xml``
(PR-GCONF, Annex B: ``shared-parameters.xsd``) lists the instance's members with their class, code
and name, and their subsystems.  The hub reads that file (``[xroad] shared_params``) to name the
bodies in a data subject's usage report and in the console; an identifier stays the fallback for
a member the file does not know.  The file is re-read when it changes (checked at most every
``refresh_seconds``), since the security server replaces it as the central server publishes.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from adapters.xroad.parser import parse_xml
from sanarip_hub.domain.xroad_identifiers import ClientId
from sanarip_hub.errors import GlobalConfError, InvalidIdentifier, XmlRejected

SHARED_PARAMS_NS = "http://x-road.eu/xsd/xroad.xsd"


@dataclass(frozen=True)
class Member:
    instance: str
    member_class: str
    member_code: str
    name: str
    subsystems: tuple[str, ...]


def read_shared_params(data: bytes) -> list[Member]:
    """The members a ``shared-params.xml`` document declares (hardened parse: no DTD, no entities)."""
    try:
        root = parse_xml(data, max_bytes=64 * 1024 * 1024, max_depth=64)
    except XmlRejected as exc:
        raise GlobalConfError(f"not a readable shared-params document: {exc}") from None
    if root.tag != f"{{{SHARED_PARAMS_NS}}}conf":
        raise GlobalConfError(f"not a shared-params document (root element {root.tag})")
    instance = (root.findtext("instanceIdentifier") or "").strip()
    members = []
    for element in root.iterfind("member"):
        member_class = (element.findtext("memberClass/code") or "").strip()
        code = (element.findtext("memberCode") or "").strip()
        name = (element.findtext("name") or "").strip()
        if not (member_class and code and name):
            continue
        subsystems = tuple((s.findtext("subsystemCode") or "").strip() for s in element.iterfind("subsystem"))
        members.append(Member(instance, member_class, code, name, tuple(s for s in subsystems if s)))
    return members


class MemberNames:
    """``name_of(client identifier)`` from a shared-params file, kept fresh; None when unknown."""

    def __init__(self, path: Path | None, refresh_seconds: float = 60.0) -> None:
        self.path = path
        self.refresh_seconds = refresh_seconds
        self._names: dict[tuple[str, str, str], str] = {}
        self._checked = float("-inf")
        self._mtime: float | None = None
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        now = time.monotonic()
        if self.path is None or now - self._checked < self.refresh_seconds:
            return
        with self._lock:
            self._checked = now
            try:
                mtime = self.path.stat().st_mtime
            except OSError:
                return  # keep what was known: the security server may be replacing the file
            if mtime == self._mtime:
                return
            try:
                members = read_shared_params(self.path.read_bytes())
            except (OSError, GlobalConfError):
                return
            self._names = {(m.instance, m.member_class, m.member_code): m.name for m in members}
            self._mtime = mtime

    def matching(self, text: str) -> list[str]:
        """``INSTANCE/CLASS/CODE`` of every member whose name contains ``text`` (any case): a
        console filter typed as a name finds the member's identifiers."""
        self._refresh()
        wanted = text.casefold()
        return sorted(
            "/".join(key) for key, name in self._names.items() if wanted and wanted in name.casefold()
        )

    def name_of(self, identifier: str | ClientId | None) -> str | None:
        """The member name of a client (or a service's provider), as the instance publishes it."""
        if identifier is None:
            return None
        self._refresh()
        if isinstance(identifier, ClientId):
            client = identifier
        else:
            text = identifier
            if text.startswith("SERVICE:"):  # a service's provider: drop the service code (and version)
                path = text.partition(":")[2]
                parts = path.split("/")
                text = "MEMBER:" + "/".join(parts[:3])
            try:
                client = ClientId.parse(text)
            except InvalidIdentifier:
                return None
        return self._names.get((client.instance, client.member_class, client.member_code))
