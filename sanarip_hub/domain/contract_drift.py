"""A consumed service's contract as its provider publishes it, compared with our model in ``wsdl/``.

The registries' WSDLs are not public (FACTS §2.3): our models are assumptions, and a provider may
change its service at any time.  ``sanarip-hub contracts check`` reads each consumed service's
request and response elements from the WSDL its provider gives through the security server and
from ours, as :class:`Shape` trees flattened to paths (``pins/pin``), and this module says which
differences would break the nightly run and which it can live with.

What breaks is judged from the consumer's side: in the request, anything the provider needs that
we do not send, or something we send that it no longer knows; in the response, a field we read
that no longer comes, or comes with another type or more often than we read it.  A new optional
request element or a new response field we do not read is *compatible*: reported, not a drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CheckStatus(StrEnum):
    """A consumed service's contract as last checked."""

    OK = "ok"  # the provider's contract is ours
    COMPATIBLE = "compatible"  # it differs, in ways the consumer does not notice
    DRIFT = "drift"  # it differs in a way that breaks the consumer
    UNREACHABLE = "unreachable"  # the security server gave no contract to compare


@dataclass(frozen=True)
class Shape:
    """One element or attribute of a message: its XSD type (``complex`` for a record), whether it
    must come, whether it may repeat, and the codes an enumeration allows (sorted; empty: any value
    of the type)."""

    type: str
    required: bool
    repeated: bool
    values: tuple[str, ...] = ()

    def text(self) -> str:
        occurs = ("1" if self.required else "0") + (".." + ("n" if self.repeated else "1"))
        codes = " {" + "|".join(self.values) + "}" if self.values else ""
        return f"{self.type} [{occurs}]{codes}"


Shapes = dict[str, Shape]
"""A message's elements by path below the message element (``pins/pin``), and its attributes
(``pins/@count``; ``@lang`` on the message element)."""


@dataclass(frozen=True)
class Difference:
    """One way the provider's contract differs from ours."""

    message: str  # "service", "request" or "response"
    path: str  # the element's path, or the service code for a service-level difference
    change: str  # what differs: "missing", "added", "type", "required", "repeated", "namespace", …
    ours: str
    theirs: str
    breaking: bool

    def text(self) -> str:
        where = f"{self.message} {self.path}" if self.path else self.message
        return f"{where}: {self.change} (ours {self.ours or '—'}, theirs {self.theirs or '—'})"


@dataclass(frozen=True)
class ServiceCheck:
    """The outcome of checking one consumed service (``name`` is its ``[consumers]`` key)."""

    name: str
    service: str
    status: CheckStatus
    differences: tuple[Difference, ...] = ()
    error: str = ""

    @property
    def breaking(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if d.breaking)

    @property
    def failed(self) -> bool:
        """Drifted, or not checked at all: what the exit status and the dashboard mark."""
        return self.status in (CheckStatus.DRIFT, CheckStatus.UNREACHABLE)


def status_of(differences: list[Difference]) -> CheckStatus:
    """OK without differences, DRIFT with a breaking one, else COMPATIBLE."""
    if not differences:
        return CheckStatus.OK
    return CheckStatus.DRIFT if any(d.breaking for d in differences) else CheckStatus.COMPATIBLE


def _codes_beyond(sender: Shape, taker: Shape) -> bool:
    """Whether the sender may send a value the taker's enumeration does not list."""
    if not taker.values:
        return False  # the taker takes any value of the type
    return not sender.values or not set(sender.values) <= set(taker.values)


def compare_message(message: str, ours: Shapes, theirs: Shapes) -> list[Difference]:
    """How ``theirs`` differs from ``ours`` for the ``request`` or ``response`` message, each
    difference judged from the consumer's side (module docstring)."""
    request = message == "request"
    differences: list[Difference] = []

    def add(path: str, change: str, our: Shape | None, their: Shape | None, breaking: bool) -> None:
        ours_text = "" if our is None else our.text()
        theirs_text = "" if their is None else their.text()
        differences.append(Difference(message, path, change, ours_text, theirs_text, breaking))

    for path, our in ours.items():
        parent = path.rpartition("/")[0]
        if parent and parent in ours and parent not in theirs:
            continue  # inside an element already reported as missing
        their = theirs.get(path)
        if their is None:  # we send what it does not know, or read what no longer comes
            add(path, "missing", our, None, True)
            continue
        if their.type != our.type:
            add(path, "type", our, their, True)
        if their.required != our.required:
            # request: it now needs what we may leave out; response: what we count on may be absent
            add(path, "required", our, their, their.required if request else our.required)
        if their.repeated != our.repeated:
            # request: we may send several where it takes one; response: more come than we read
            add(path, "repeated", our, their, our.repeated if request else their.repeated)
        if their.values != our.values:
            # request: we may send a code it does not take; response: it may send one we do not read
            sender, taker = (our, their) if request else (their, our)
            add(path, "values", our, their, _codes_beyond(sender, taker))
    for path, their in theirs.items():
        parent = path.rpartition("/")[0]
        if path in ours or (parent and parent in theirs and parent not in ours):
            continue  # known, or inside an element already reported as added
        add(path, "added", None, their, request and their.required)
    return differences
