"""The one exception tree of Sanarip Hub: every error the hub raises on purpose is defined here.

Each class carries ``fault_code`` (the X-Road fault code a client would see) and ``http_status``
(what REST and the console answer), inherited from its branch unless it says otherwise, so that
:func:`adapters.xroad.faults.to_wire` can turn any of them into the one shape it has on the wire,
and the CLI into one line and exit status 1.  Only :class:`ExchangeFault` messages are meant for
the client; anything else reaches a client as its branch's generic message (``internal error``,
``the hub database is not available``) with a detail id that finds the logged traceback.

::

    HubError                                    Server.InternalError            500
    ├── ConfigError                             a setting is missing or malformed
    ├── ListenError                             the server cannot listen (port in use)
    ├── ValidationError                         Client.InvalidRequest           400
    │   ├── InvalidPin
    │   ├── InvalidSoate
    │   └── InvalidIdentifier                   an X-Road identifier
    ├── StorageError                            Server.DatabaseError            500
    │   ├── DatabaseUnavailable
    │   ├── DatabaseNotEmpty
    │   ├── SchemaNotCurrent
    │   └── BackupError
    ├── SeedError
    ├── RegisterError                           a register file cannot be imported or written
    │   ├── RegisterFileError                   not a register file (garbage, cut off, too large)
    │   └── RegisterInvalid                     records failed validation: nothing was written
    ├── AgreementError
    │   └── FieldGrantError
    ├── CertificateError
    ├── ActualizationError
    │   └── DecisionOutdated                    decided on what someone changed since: nothing written
    ├── AccountError
    ├── GlobalConfError
    ├── LedgerError
    │   ├── LedgerIntegrityError                verification found a bad entry
    │   ├── ProofError
    │   ├── NoteError
    │   ├── BundleError
    │   ├── ArchiveError
    │   ├── CheckpointLogError
    │   ├── LedgerKeyError
    │   ├── WitnessError
    │   └── NoMatch                             ``ledger match``: no entry holds the message
    ├── ConsumerError                           a registry call failed (the registry's own code)
    │   ├── CircuitOpen
    │   ├── RegistryUnavailable
    │   └── TransportFailure                    (also an OSError)
    ├── XRoadCallRefused                        ``xroad call``: no WSDL, no such operation
    ├── ContractDrift                           ``contracts check``: a consumed contract drifted
    ├── PageRefused                             the console refuses a page (its own status)
    └── ExchangeFault                           an X-Road exchange refused or failed
        ├── ClientFault                         Client.*                        400
        │   ├── InvalidContentType              Client.InvalidContentType       415
        │   ├── InvalidXml                      Client.InvalidXml               400
        │   │   └── XmlRejected                 the hardened parser refused it
        │   │       └── XmlTooLarge             Client.MessageTooLarge          413
        │   ├── InvalidSoap                     Client.InvalidSoap              400
        │   ├── MessageTooLarge                 Client.MessageTooLarge          413
        │   ├── MissingHeader                   Client.MissingHeader            400
        │   ├── MissingHeaderField              Client.MissingHeaderField       400
        │   ├── DuplicateHeaderField            Client.DuplicateHeaderField     400
        │   ├── InconsistentHeaders             Client.InconsistentHeaders      400
        │   ├── InvalidClientIdentifier         Client.InvalidClientIdentifier  400
        │   ├── InvalidServiceIdentifier        Client.InvalidServiceIdentifier 400
        │   ├── InvalidProtocolVersion          Client.InvalidProtocolVersion   400
        │   ├── MissingBody                     Client.MissingBody              400
        │   ├── InvalidBody                     Client.InvalidBody              400
        │   ├── InvalidRequest                  Client.InvalidRequest           400
        │   ├── UnknownService                  Client.UnknownService           404
        │   ├── AccessDenied                    Client.AccessDenied             403
        │   └── ClientGone                      the client left before its request was read
        │       ├── Disconnected                Client.Disconnected             400
        │       └── ClientTimeout               Client.Timeout                  400
        └── ServerFault                         Server.*                        500
            ├── InternalError                   Server.InternalError            500
            ├── DatabaseError                   Server.DatabaseError            500
            ├── LoggingFailed                   Server.LoggingFailed            500
            │   └── LedgerUnavailable           (a console page)                503
            └── Overloaded                      Server.Overloaded               503

A test walks every subclass of :class:`HubError` in the code base: each must be defined in this
module, named in the drawing above, and turned into its fault code and status by ``to_wire``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class HubError(Exception):
    """Root of every deliberate Sanarip Hub error.

    ``code`` is a short machine-readable identifier for operators' scripts (stable across
    releases); ``fault_code`` and ``http_status`` are what a client of the hub would see; the
    message is for people (and, for an :class:`ExchangeFault`, for the client).
    """

    code = "hub"
    fault_code = "Server.InternalError"
    http_status = 500
    public_message: str | None = "internal error"  # None: the message itself is for the client

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# -- configuration, domain rules, storage -----------------------------------------------------------


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


class ListenError(HubError):
    """``serve`` or ``simulate`` cannot listen on its address: the port is taken or not allowed."""

    code = "listen"


class ValidationError(HubError):
    """A value violates a domain rule (PIN or СОАТЕ format, an impossible date, …)."""

    code = "validation"
    fault_code = "Client.InvalidRequest"
    http_status = 400
    public_message = None


class InvalidPin(ValidationError):
    """The string is not a well-formed PIN."""

    code = "validation.pin"


class InvalidSoate(ValidationError):
    """The string is not a well-formed СОАТЕ code."""

    code = "validation.soate"


class InvalidIdentifier(ValidationError):
    """An X-Road identifier or one of its parts is malformed."""

    code = "xroad.identifier"


class StorageError(HubError):
    """The database could not do what was asked."""

    code = "storage"
    fault_code = "Server.DatabaseError"
    public_message = "the hub database is not available"


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


class RegisterError(HubError):
    """The register exchange format cannot be read or written as asked."""

    code = "register"


class RegisterFileError(RegisterError):
    """A file is not a register file: binary, cut off, too large, a wrong sheet or encoding."""

    code = "register.file"


class RegisterInvalid(RegisterError):
    """Records failed validation and the import was strict: nothing was written (the report says
    what is wrong where)."""

    code = "register.invalid"

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report  # the import's report, problems included, for --report and the terminal


class AgreementError(HubError):
    """An agreement is malformed, duplicated or unknown."""

    code = "agreement"


class FieldGrantError(AgreementError):
    """A field grant names a field its service does not have, or is ambiguous."""

    code = "agreement.fields"


class CertificateError(HubError):
    """The signing key or certificate is missing or unusable, or a signature does not verify."""

    code = "certificate"


class ActualizationError(HubError):
    """A mismatch does not exist, or the requested move is not allowed from its status."""

    code = "actualization"


class DecisionOutdated(ActualizationError):
    """The decision was made on a mismatch, or a person, that someone changed since it was shown:
    nothing was written, and the clerk must look again (a second tab, a colleague, a new run)."""


class AccountError(HubError):
    """A user cannot be created or changed as asked (the message says why).

    The message is an English template and its values apart, so that the console says it in the
    page's language (:meth:`translated`) while the command line and the log read it whole.
    """

    code = "console.account"

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message.format(**values))
        self.template, self.values = message, values

    def translated(self, gettext: Callable[[str], str]) -> str:
        return gettext(self.template).format(**self.values)


class GlobalConfError(HubError):
    """The shared-parameters file cannot be read or is not one."""

    code = "xroad.globalconf"


# -- the ledger -------------------------------------------------------------------------------------


class LedgerError(HubError):
    """The ledger, its keys, proofs, bundles, archives or witnesses."""

    code = "ledger"


class LedgerIntegrityError(LedgerError):
    """Verification found a problem; ``seq`` is the first bad sequence number."""

    code = "ledger.integrity"

    def __init__(self, seq: int, kind: str, detail: str) -> None:
        self.seq = seq
        self.kind = kind
        self.detail = detail
        super().__init__(f"ledger verification failed at seq {seq}: {kind}: {detail}")


class ProofError(LedgerError):
    """A Merkle proof (or a hash in it) does not verify."""

    code = "ledger.proof"


class NoteError(LedgerError):
    """A key, signed note or checkpoint is malformed or does not verify."""

    code = "ledger.note"


class BundleError(LedgerError):
    """A bundle is malformed or does not verify; ``seq`` names the entry when one is to blame."""

    code = "ledger.bundle"

    def __init__(self, message: str, seq: int | None = None) -> None:
        self.seq = seq
        super().__init__(
            f"bundle verification failed at seq {seq}: {message}"
            if seq is not None
            else f"bundle verification failed: {message}"
        )


class ArchiveError(LedgerError):
    """An archive segment is missing, unreadable or does not match what was signed.

    ``kind`` uses verification's vocabulary: missing, altered, reordered, forged.
    """

    code = "ledger.archive"

    def __init__(self, message: str, kind: str = "altered") -> None:
        super().__init__(message)
        self.kind = kind


class CheckpointLogError(LedgerError):
    """The checkpoint log cannot be written or read."""

    code = "ledger.checkpoint_log"


class LedgerKeyError(LedgerError):
    """Ledger keys are missing, unreadable or already exist."""

    code = "ledger.keys"


class WitnessError(LedgerError):
    """A witness refused a checkpoint, or could not be reached; ``kind`` says which."""

    code = "ledger.witness"

    def __init__(self, message: str, kind: str, size: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind  # unreachable | refused | inconsistent | conflict | ahead
        self.size = size  # the witness's own size, when it said


class NoMatch(LedgerError):
    """No ledger entry recorded the message given to ``ledger match``."""

    code = "ledger.match"


# -- calls the hub makes (consumer side) ------------------------------------------------------------


class ConsumerError(HubError):
    """A registry call failed; ``retryable`` says whether trying again can help.

    ``fault_code`` here is the registry's (or its security server's) own code, per instance.
    """

    code = "xroad.consumer"

    def __init__(self, message: str, *, fault_code: str, retryable: bool) -> None:
        super().__init__(message)
        self.fault_code = fault_code
        self.retryable = retryable
        self.trace: Any = None  # the failed call's last attempt (consumer.Trace), for its ledger entry


class XRoadCallRefused(HubError):
    """``xroad call`` could not be made as asked: no WSDL, no such operation, a bad parameter."""

    code = "xroad.call"


class ContractDrift(HubError):
    """``contracts check``: a consumed service's contract differs from our model in a way that breaks
    the nightly run, or could not be checked (the exit status an operator's script tests)."""

    code = "contracts.drift"


class CircuitOpen(ConsumerError):
    """The breaker is open: the registry failed too often; no call was made."""


class RegistryUnavailable(ConsumerError):
    """The registry is down: its circuit kept reopening.  A job stops at its checkpoint."""


class TransportFailure(ConsumerError, OSError):
    """The request could not be completed: connection refused or lost, timeout, bad HTTP, too large.

    Also an ``OSError``, so code that treats network errors alike (the retry policy) sees one.
    """

    code = "xroad.transport"

    def __init__(self, message: str) -> None:
        super().__init__(message, fault_code="Server.NetworkError", retryable=True)


# -- the console ------------------------------------------------------------------------------------


class PageRefused(HubError):
    """The console refuses a request: wrong role, bad form, unknown entry … (``status`` says which)."""

    code = "console.refused"
    public_message = None

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = status


# -- calls the hub answers (producer side): what a client sees ---------------------------------------


class ExchangeFault(HubError):
    """An X-Road exchange was refused or failed; its message is for the client."""

    code = "xroad.fault"
    public_message = None


class ClientFault(ExchangeFault):
    """The request is at fault (X-Road's ``Client.*`` codes)."""

    fault_code = "Client.InvalidRequest"
    http_status = 400


class InvalidContentType(ClientFault):
    fault_code = "Client.InvalidContentType"
    http_status = 415


class InvalidXml(ClientFault):
    fault_code = "Client.InvalidXml"


class XmlRejected(InvalidXml):
    """The hardened parser refused untrusted XML; ``reason``: too_large, dtd, entity, too_deep, malformed."""

    code = "xroad.xml"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class XmlTooLarge(XmlRejected):
    fault_code = "Client.MessageTooLarge"
    http_status = 413

    def __init__(self, message: str) -> None:
        super().__init__("too_large", message)


class InvalidSoap(ClientFault):
    fault_code = "Client.InvalidSoap"


class MessageTooLarge(ClientFault):
    """The body is over the size limit; ``size`` is how many bytes were counted."""

    fault_code = "Client.MessageTooLarge"
    http_status = 413

    def __init__(self, message: str, size: int = 0) -> None:
        super().__init__(message)
        self.size = size


class MissingHeader(ClientFault):
    fault_code = "Client.MissingHeader"


class MissingHeaderField(ClientFault):
    fault_code = "Client.MissingHeaderField"


class DuplicateHeaderField(ClientFault):
    fault_code = "Client.DuplicateHeaderField"


class InconsistentHeaders(ClientFault):
    fault_code = "Client.InconsistentHeaders"


class InvalidClientIdentifier(ClientFault):
    fault_code = "Client.InvalidClientIdentifier"


class InvalidServiceIdentifier(ClientFault):
    fault_code = "Client.InvalidServiceIdentifier"


class InvalidProtocolVersion(ClientFault):
    fault_code = "Client.InvalidProtocolVersion"


class MissingBody(ClientFault):
    fault_code = "Client.MissingBody"


class InvalidBody(ClientFault):
    fault_code = "Client.InvalidBody"


class InvalidRequest(ClientFault):
    fault_code = "Client.InvalidRequest"


class UnknownService(ClientFault):
    fault_code = "Client.UnknownService"
    http_status = 404


class AccessDenied(ClientFault):
    fault_code = "Client.AccessDenied"
    http_status = 403


class ClientGone(ClientFault):
    """The client stopped sending before its request was whole; nobody is left to answer, but the
    attempt is ledgered under this code.  ``size`` is how many bytes had arrived."""

    def __init__(self, message: str, size: int = 0) -> None:
        super().__init__(message)
        self.size = size


class Disconnected(ClientGone):
    fault_code = "Client.Disconnected"


class ClientTimeout(ClientGone):
    fault_code = "Client.Timeout"


class ServerFault(ExchangeFault):
    """The hub is at fault (X-Road's ``Server.*`` codes)."""

    fault_code = "Server.InternalError"
    http_status = 500


class InternalError(ServerFault):
    fault_code = "Server.InternalError"


class DatabaseError(ServerFault):
    fault_code = "Server.DatabaseError"


class LoggingFailed(ServerFault):
    fault_code = "Server.LoggingFailed"


class LedgerUnavailable(LoggingFailed):
    """The console could not commit the access entry of a page of personal data: nothing is shown."""

    http_status = 503


class Overloaded(ServerFault):
    fault_code = "Server.Overloaded"
    http_status = 503
