"""``sanarip-hub contracts check``: is each registry service the hub consumes still the one our model
in ``wsdl/`` describes?

For every ``[consumers]`` service: the provider's ``listMethods`` through the security server (is
the service still offered, in the configured version?), then its ``getWsdl``, read with xmlschema
beside our committed WSDL and compared element by element
(:mod:`sanarip_hub.domain.contract_drift`).  Each outcome is recorded (``contract_check``): the
operator's dashboard and ``/metrics`` show the latest, and with ``[schedule] skip_drifted`` the
nightly run of a source whose contract drifted is skipped instead of flagging a night of false
mismatches.  The scheduler runs the check on ``[schedule] contracts_check``, before the nightly runs.

The metaservice calls carry no personal data and are not access-ledger entries; they are logged.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import httpx

from sanarip_hub.config import Settings
from sanarip_hub.domain.codes import SyncSource
from sanarip_hub.domain.contract_drift import (
    CheckStatus,
    Difference,
    ServiceCheck,
    compare_message,
    status_of,
)
from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.entrypoints.jobs import SOURCE_SERVICES, declared_services
from sanarip_hub.entrypoints.xroad_call import provider_wsdl, security_server_post
from sanarip_hub.errors import ConsumerError
from sanarip_hub.log import get_logger
from sanarip_hub.storage.contract_checks import latest_checks, record_checks

log = get_logger("sanarip_hub.contracts")
USER_ID = "contracts-check"  # the X-Road userId of the metaservice calls


def check_contracts(hub: Hub, names: Iterable[str] | None = None, actor: str = "cli") -> list[ServiceCheck]:
    """Check the ``[consumers]`` services ``names`` (default: all) and record the outcomes."""
    settings = hub.settings
    declared = declared_services()
    wanted = list(declared) if names is None else list(names)
    client = ClientId.parse(settings.xroad.subsystem)
    offered: dict[ClientId, list[ServiceId] | str] = {}  # listMethods once per provider
    ours: dict[str, Any] = {}  # each of our WSDLs read once (zags-service.wsdl serves two services)
    checks = []
    with httpx.Client() as http:
        for name in wanted:
            service = ServiceId.parse(getattr(settings.consumers, name))
            if service.client not in offered:
                offered[service.client] = _list_methods(settings, http, client, service.client)
            model = _our_model(ours, declared[name].wsdl)
            check = _check(settings, http, name, service, offered[service.client], model)
            log.info(
                "contracts.checked", name=name, service=str(service), status=check.status.value,
                breaking=len(check.breaking), differences=len(check.differences), error=check.error or None,
            )  # fmt: skip
            checks.append(check)
    record_checks(hub.engine, checks, actor, datetime.now(UTC))
    return checks


def _list_methods(
    settings: Settings, http: httpx.Client, client: ClientId, provider: ClientId
) -> list[ServiceId] | str:
    """The provider's services, or why they could not be listed."""
    from adapters.xroad.metaservice import list_methods_request, read_list_methods_answer

    request = list_methods_request(client, provider, str(uuid.uuid4()), USER_ID)
    try:
        return read_list_methods_answer(security_server_post(settings, request, http).content)
    except ConsumerError as exc:
        return _error(exc)
    except (httpx.HTTPError, OSError) as exc:
        return f"listMethods of {provider}: {exc}"


def _our_model(read: dict[str, Any], file_name: str) -> Any:
    """Our committed WSDL ``file_name``, read (with xmlschema) on first use."""
    from adapters.xroad.contract_shape import WsdlMessages
    from adapters.xroad.wsdl import WSDL_DIR

    if file_name not in read:
        read[file_name] = WsdlMessages((WSDL_DIR / file_name).read_bytes(), f"wsdl/{file_name}")
    return read[file_name]


def _check(
    settings: Settings,
    http: httpx.Client,
    name: str,
    service: ServiceId,
    offered: list[ServiceId] | str,
    model: Any,
) -> ServiceCheck:
    """One service against ``model``, our WSDL of it (a :class:`WsdlMessages`)."""
    from adapters.xroad.contract_shape import WsdlMessages

    code = service.service_code
    if isinstance(offered, str):
        return ServiceCheck(name, str(service), CheckStatus.UNREACHABLE, error=offered)
    versions = [listed.version for listed in offered if listed.service_code == code]
    if not versions or (service.version is not None and service.version not in versions):
        listed = ", ".join(sorted(v or "(no version)" for v in versions)) or "not listed"
        missing = Difference("service", code, "not offered", service.version or "offered", listed, True)
        return ServiceCheck(name, str(service), CheckStatus.DRIFT, (missing,))
    try:
        document = provider_wsdl(settings, service, USER_ID, http)
        theirs = WsdlMessages(document, f"getWsdl of {service}").shapes(code)
    except ConsumerError as exc:
        return ServiceCheck(name, str(service), CheckStatus.UNREACHABLE, error=_error(exc))
    except (httpx.HTTPError, OSError) as exc:
        return ServiceCheck(name, str(service), CheckStatus.UNREACHABLE, error=f"getWsdl: {exc}")
    ours = model.shapes(code)
    assert ours is not None, f"our WSDL has no operation {code}"  # a test keeps contracts and WSDLs equal
    if theirs is None:
        missing = Difference("service", code, "no operation in the WSDL", code, "", True)
        return ServiceCheck(name, str(service), CheckStatus.DRIFT, (missing,))
    differences = []
    if theirs[0] != ours[0]:
        differences.append(Difference("service", code, "namespace", ours[0], theirs[0], True))
    differences += compare_message("request", ours[1], theirs[1])
    differences += compare_message("response", ours[2], theirs[2])
    return ServiceCheck(name, str(service), status_of(differences), tuple(differences))


def _error(exc: ConsumerError) -> str:
    return f"{exc} ({exc.fault_code})"


def drifted_sources(hub: Hub) -> dict[SyncSource, list[str]]:
    """Each source with a service whose latest check found a breaking drift, with those services."""
    drifted = {check.check.name: check.check.service for check in latest_checks(hub.engine)
               if check.check.status is CheckStatus.DRIFT}  # fmt: skip
    return {
        source: [drifted[name] for name in names if name in drifted]
        for source, names in SOURCE_SERVICES.items()
        if any(name in drifted for name in names)
    }
