"""Any error → what the client receives: the one function SOAP, REST, the simulator and the console use.

The tree of errors and the fault code and HTTP status of each leaf are in :mod:`sanarip_hub.errors`
(drawn in its docstring).  Here they meet the wire:

=====================================  =================================================  ==========
error                                  fault code and message the client reads             HTTP (REST)
=====================================  =================================================  ==========
:class:`~sanarip_hub.errors.ExchangeFault`  its own code, its own message                  its status
:class:`~sanarip_hub.errors.ValidationError`  ``Client.InvalidRequest``, its message       400
:class:`~sanarip_hub.errors.StorageError`   ``Server.DatabaseError``, "the hub database …"  500
any other :class:`HubError`            its branch's code, "internal error"                 its status
anything else (a bug)                  ``Server.InternalError``, "internal error";         500
                                       the traceback is logged under the detail id
=====================================  =================================================  ==========

A SOAP fault has the security server's shape (PR-MESS §2.7: ``faultcode``, ``faultstring``,
``detail/faultDetail`` with the id) and travels with HTTP 200, as the security server sends faults;
a REST error is the security server's JSON (``type``, ``message``, ``detail``) with the code also
in ``X-Road-Error``.  Every answer carries a fresh detail id, which is the one thing that ties the
client's complaint to the hub's log line.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from adapters.xroad.envelope import fault_envelope
from sanarip_hub.errors import HubError
from sanarip_hub.log import get_logger

log = get_logger("sanarip_hub.faults")

SOAP_CONTENT_TYPE = "text/xml; charset=UTF-8"
JSON_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class WireFault:
    """An error as the client will see it."""

    code: str  # X-Road fault code: Client.AccessDenied, Server.InternalError …
    status: int  # the HTTP status of a REST error or a console page
    message: str  # for the client: never an internal message of an unexpected error
    detail: str  # the id that finds the hub's log line
    unexpected: bool = False  # not a HubError: a bug, whose traceback was logged under ``detail``


def to_wire(error: BaseException, detail: str | None = None) -> WireFault:
    """The one mapping of any error onto the wire; logs the traceback of an unexpected one."""
    detail = detail or str(uuid.uuid4())
    if isinstance(error, HubError):
        message = error.message if error.public_message is None else error.public_message
        return WireFault(error.fault_code, error.http_status, message, detail)
    log.error("internal_error", detail=detail, exc_info=error)
    return WireFault("Server.InternalError", 500, "internal error", detail, unexpected=True)


def foreign_fault(code: str, message: str) -> WireFault:
    """A fault in a code the hub's tree does not hold: what a security server or registry sends
    (``Server.ServerProxy.ServiceFailed`` …), as the registry simulators answer it."""
    return WireFault(code, 500, message, str(uuid.uuid4()))


def soap_fault(wire: WireFault) -> bytes:
    """The fault as a serialised SOAP 1.1 envelope (sent with HTTP 200, ``text/xml``)."""
    envelope, _ = fault_envelope(wire.code, wire.message, wire.detail)
    return envelope


def rest_error(wire: WireFault) -> tuple[bytes, dict[str, str]]:
    """The fault as the security server's REST error: JSON body and headers (status: ``wire.status``)."""
    body = json.dumps({"type": wire.code, "message": wire.message, "detail": wire.detail}).encode()
    return body, {"content-type": JSON_CONTENT_TYPE, "x-road-error": wire.code}
