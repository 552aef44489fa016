"""One call, whatever the channel: agreement check, parameter validation, answer, minimisation.

SOAP (:mod:`~adapters.xroad.producer.soap`) and REST (:mod:`~adapters.xroad.producer.rest`) each read
their protocol's headers into a :class:`Call` and hand it here, so both channels enforce exactly
the same rules:

* no active agreement for (client, service) → ``Client.AccessDenied``;
* personal data (a personal service, or a personal field the agreement grants, such as a
  municipal property's lessees) without ``userId`` → ``Client.MissingHeaderField``; without
  ``issue`` too, unless the agreement waives it (``require_issue = false``);
* ``findUsage`` only for the data subject (``userId`` = the PIN or KG + PIN) or an oversight
  agreement; anyone else → ``Client.AccessDenied`` (see :mod:`.usage_report`);
* a malformed or missing parameter (a PIN that is not 14 digits …) → ``Client.InvalidRequest``;
* a certificate service (:data:`~sanarip_hub.domain.certificates.KINDS`) signs the granted part of
  its content with the issuing LSG body's key and records the certificate in the register before
  the answer leaves; ``verifyCertificate`` answers from that register;
* an unknown PIN is not an error but a business answer: ``resultCode`` ``PIN_NOT_FOUND`` (SOAP) or
  HTTP 204 (REST), the same for every service;
* the database unreachable → ``Server.DatabaseError``; anything unexpected → ``Server.InternalError``
  with a detail id that finds the logged traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.domain.certificates import (
    KINDS,
    CertificateIssue,
    CertificateKind,
    CertificateStatus,
    IssuedCertificate,
)
from sanarip_hub.domain.contract import Service
from sanarip_hub.domain.hub_contract import BY_CODE, ResultCode
from sanarip_hub.domain.identifiers import parse_pin, parse_soate
from sanarip_hub.domain.xroad_identifiers import ClientId
from sanarip_hub.errors import (
    AccessDenied,
    DatabaseError,
    InternalError,
    InvalidPin,
    InvalidRequest,
    InvalidSoate,
    MissingHeaderField,
    StorageError,
    UnknownService,
)
from sanarip_hub.log import get_logger
from sanarip_hub.producer.agreements import Grant, hub_today
from sanarip_hub.producer.field_grants import FieldTree, discloses_personal
from sanarip_hub.producer.usage_report import UsageReport, names_the_subject
from sanarip_hub.storage.certificate_content import CertificateContent
from sanarip_hub.storage.service_data import INDICATORS, MAX_PAGE, Answer

log = get_logger("sanarip_hub.producer")


class Agreements(Protocol):
    """The agreement store (:class:`~.agreements.AgreementBook`): the grant for a client and service."""

    def grant(self, client: ClientId, service_code: str) -> Grant | None: ...


class Signed(Protocol):
    """A signed certificate (:class:`adapters.xroad.certificate.SignedCertificate`)."""

    @property
    def element(self) -> Any: ...
    @property
    def number(self) -> str: ...
    @property
    def digest(self) -> str: ...
    @property
    def key_holder(self) -> str: ...
    @property
    def data_valid_on(self) -> date: ...
    @property
    def valid_until(self) -> date: ...

    def text(self) -> str: ...


class Signer(Protocol):
    """Signs a certificate's content with the issuing body's key (:mod:`adapters.xroad.certificate`)."""

    def sign(
        self,
        kind: CertificateKind,
        service: Service,
        content: Mapping[str, Any],
        granted: FieldTree | None,
        issue: CertificateIssue,
    ) -> Signed: ...


class Register(Protocol):
    """The register of issued certificates (:class:`~sanarip_hub.storage.certificates.
    CertificateRegister`)."""

    def record(self, issued: IssuedCertificate) -> None: ...

    def find(self, number: str) -> IssuedCertificate | None: ...


@dataclass(frozen=True)
class Call:
    """Who asks for what: the parts of an X-Road header the rules look at."""

    client: ClientId
    service_code: str
    message_id: str
    user_id: str | None = None
    issue: str | None = None


@dataclass
class Result:
    """An answer cleared for delivery: only granted fields, and the subjects they disclose."""

    service: Service
    code: ResultCode
    values: Mapping[str, Any]
    granted: FieldTree | None
    agreement: str
    subjects: tuple[str, ...] = field(default=())


def _pin(params: Mapping[str, str], name: str = "pin") -> str:
    try:
        return parse_pin(params[name]).value
    except InvalidPin as exc:
        raise InvalidRequest(f"{name}: {exc}") from None


def _soate(params: Mapping[str, str]) -> str:
    try:
        return parse_soate(params["soate"]).value
    except InvalidSoate as exc:
        raise InvalidRequest(f"soate: {exc}") from None


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise InvalidRequest(f"{name} must be an integer, got {text!r}") from None
    if not low <= value <= high:
        raise InvalidRequest(f"{name} must be between {low} and {high}, got {value}")
    return value


def _indicator(params: Mapping[str, str]) -> str:
    if params["indicator"] not in INDICATORS:
        raise InvalidRequest(
            f"unknown indicator {params['indicator']!r}; known: {', '.join(INDICATORS)}",
        )
    return params["indicator"]


def _land_queue(data: Any, params: Mapping[str, str]) -> Answer:
    if not params.get("pin") and not params.get("regNumber"):
        raise InvalidRequest("landQueuePosition needs pin or regNumber")
    pin = _pin(params) if params.get("pin") else None
    return data.land_queue_position(pin, params.get("regNumber") or None)  # type: ignore[no-any-return]


# service code -> how to call the data source with the validated parameters
HANDLERS: dict[str, Callable[[Any, Mapping[str, str]], Answer]] = {
    "householdByPin": lambda d, p: d.household_by_pin(_pin(p)),
    "familyComposition": lambda d, p: CertificateContent(d).family_composition(_pin(p)),
    "residenceCertificate": lambda d, p: CertificateContent(d).residence(_pin(p)),
    "householdPlotCertificate": lambda d, p: CertificateContent(d).household_plot(_pin(p)),
    "lowIncomeCertificate": lambda d, p: CertificateContent(d).low_income(_pin(p)),
    "landQueueCertificate": lambda d, p: CertificateContent(d).land_queue(_pin(p)),
    "socialPassportByPin": lambda d, p: d.social_passport_by_pin(_pin(p)),
    "landQueuePosition": _land_queue,
    "municipalPropertyByEni": lambda d, p: d.municipal_property_by_eni(p["eni"].strip()),
    "municipalPropertyList": lambda d, p: d.municipal_property_list(
        _soate(p), p.get("kind") or None, _int(p, "offset", 0, 0, 10**9), _int(p, "limit", 100, 1, MAX_PAGE)
    ),
    "lsgPassport": lambda d, p: d.lsg_passport(_soate(p), p.get("period") or None),
    "statAggregates": lambda d, p: d.stat_aggregates(_indicator(p), _soate(p)),
    "address-fact": lambda d, p: d.address_fact(_pin(p)),
    "family-members": lambda d, p: d.family_members(_pin(p)),
}


# services whose answer starts from the asked person's household card (HubData._card_by_pin)
CARD_SERVICES = frozenset(
    {
        "householdByPin",
        "address-fact",
        "family-members",
        "familyComposition",
        "residenceCertificate",
        "householdPlotCertificate",
    }
)


def requested_subjects(params: Mapping[str, str]) -> tuple[str, ...]:
    """The PIN a request names, when it is a well-formed one (ledgered even if the call fails)."""
    text = params.get("pin")
    if text:
        try:
            return (parse_pin(text).value,)
        except InvalidPin:
            return ()
    return ()


class Dispatcher:
    """Applies the agreement rules and answers calls from a data source."""

    def __init__(
        self,
        data: Any,
        agreements: Agreements,
        signer: Signer | None = None,
        usage: UsageReport | None = None,
        clock: Clock = SYSTEM_CLOCK,
        register: Register | None = None,
        zone: ZoneInfo | None = None,
    ) -> None:
        self.clock = clock
        self.register = register
        self.zone = zone or ZoneInfo("Asia/Bishkek")
        self.data = data
        self.agreements = agreements
        self.signer = signer
        self.usage = usage

    def authorize(self, call: Call) -> tuple[Service, Grant]:
        """The service and the agreement that allows this call, or the fault that refuses it."""
        service = BY_CODE.get(call.service_code)
        if service is None:
            raise UnknownService(f"no service {call.service_code!r} here")
        grant = self.agreements.grant(call.client, call.service_code)
        if grant is None:
            raise AccessDenied(
                f"no active interagency agreement allows {call.client} to call {call.service_code}",
            )
        if discloses_personal(service, grant.fields):
            if not call.user_id:
                raise MissingHeaderField(
                    f"{call.service_code} returns personal data: the userId header is required",
                )
            if grant.require_issue and not call.issue:
                raise MissingHeaderField(
                    f"{call.service_code} returns personal data: the issue header is required "
                    f"(agreement {grant.number})",
                )
        return service, grant

    def prefetch(self, calls: Iterable[tuple[Service, Mapping[str, str]]]) -> AbstractContextManager[None]:
        """While the answers to ``calls`` (authorized, about to be answered one after another) are
        made, let the data source read the household cards they need in one batch, if it can."""
        pins = [
            asked[0]
            for service, params in calls
            if service.code in CARD_SERVICES and (asked := requested_subjects(params))
        ]
        prefetched = getattr(self.data, "prefetched_cards", None)
        if prefetched is None or len(pins) < 2:
            return nullcontext()
        return cast(AbstractContextManager[None], prefetched(pins))

    def find_usage(self, grant: Grant, call: Call | None, params: Mapping[str, str]) -> Answer:
        """The usage report for its audience, or AccessDenied for anyone else."""
        pin = _pin(params)
        if self.usage is None:
            raise InternalError("findUsage is not configured")
        if grant.oversight:
            return Answer(ResultCode.OK, {"usages": self.usage.for_oversight(pin)}, (pin,))
        if call is not None and names_the_subject(call.user_id, pin):
            return Answer(ResultCode.OK, {"usages": self.usage.for_subject(pin)}, (pin,))
        raise AccessDenied(
            "findUsage answers the data subject (userId must be the PIN asked about, or KG + PIN) "
            f"or an oversight agreement; agreement {grant.number} is neither",
        )

    def verify(self, params: Mapping[str, str]) -> Answer:
        """``verifyCertificate``: the status of the certificate with this number and digest."""
        digest = params["digest"].strip().lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise InvalidRequest("digest must be the 64 hex digits of a SHA-256")
        if self.register is None:
            raise InternalError("verifyCertificate is not configured")
        issued = self.register.find(params["number"])
        today = hub_today(self.zone.key, self.clock.now())
        status = CertificateStatus.UNKNOWN if issued is None else issued.status(today, digest)
        if issued is None or status is CertificateStatus.UNKNOWN:  # a wrong digest learns nothing more
            return Answer(ResultCode.OK, {"status": status.value})
        return Answer(
            ResultCode.OK,
            {
                "status": status.value,
                "kind": issued.kind,
                "issuerSoate": issued.lsg_soate,
                "issuedAt": issued.issued_at,
                "validUntil": issued.valid_until,
                "revokedAt": issued.revoked_at,
            },
        )

    def _certify(self, kind: CertificateKind, service: Service, answer: Answer, grant: Grant,
                 call: Call | None) -> dict[str, Any]:  # fmt: skip
        """Sign the granted part of a certificate's content and record it in the register; the
        values to send.  An agreement that grants none of the certificate gets nothing signed."""
        tree = grant.fields
        if tree is not None and "certificate" not in tree:
            return {}
        if self.signer is None or self.register is None:
            raise InternalError("no certificate signing key or register is configured")
        asked = answer.subjects[0]
        issuer_name, issuer_soate = answer.issuer or (None, None)
        issue = CertificateIssue(
            answer.current_pin or asked,
            asked,
            call.client.path() if call is not None else "",
            call.issue if call is not None else None,
            self.clock.now(),
            issuer_name,
            issuer_soate,
        )
        content = answer.values["certificate"]
        signed = self.signer.sign(
            kind, service, content, None if tree is None else tree["certificate"], issue
        )
        self.register.record(
            IssuedCertificate(
                number=signed.number,
                kind=kind.service,
                subject_pin=issue.subject_pin,
                asked_pin=asked,
                lsg_soate=issuer_soate,
                lsg_name=issuer_name,
                recipient=issue.recipient,
                purpose=issue.purpose,
                message_id=call.message_id if call is not None else None,
                issued_at=issue.issued_at,
                data_valid_on=signed.data_valid_on,
                valid_until=signed.valid_until,
                digest=signed.digest,
                key_holder=signed.key_holder,
                document=signed.text(),
            )
        )
        return {"certificate": signed.element}

    def answer(
        self, service: Service, grant: Grant, params: Mapping[str, str], call: Call | None = None
    ) -> Result:
        for param in service.params:
            if param.required and not (params.get(param.name) or "").strip():
                raise InvalidRequest(f"{service.code} needs the {param.name} element")
        kind = KINDS.get(service.code)
        try:
            if service.code == "findUsage":
                answer = self.find_usage(grant, call, params)
            elif service.code == "verifyCertificate":
                answer = self.verify(params)
            else:
                answer = HANDLERS[service.code](self.data, params)
            values = answer.values
            if kind is not None and answer.code is ResultCode.OK:
                values = self._certify(kind, service, answer, grant, call)
        except StorageError as exc:
            log.error("producer.database_error", service=service.code, error=str(exc).splitlines()[0])
            raise DatabaseError("the hub database is not available") from None
        subjects = list(answer.subjects)
        for name, pins in answer.field_subjects.items():
            if grant.fields is None or name in grant.fields:
                subjects.extend(p for p in pins if p not in subjects)
        return Result(service, answer.code, values, grant.fields, grant.number, tuple(subjects))
