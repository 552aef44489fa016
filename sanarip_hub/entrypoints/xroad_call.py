"""``sanarip-hub xroad call``: the operator's tool for an X-Road service the hub does not model
yet.  The service's WSDL comes from its provider through the security server (the ``getWsdl``
metaservice) or from ``--wsdl``; zeep reads it and makes the call with the hub's protocol 4.0
headers; the answer is printed as JSON and the call is an access-ledger entry like any other."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from sanarip_hub.config import Settings
from sanarip_hub.domain.exchange import OK, Channel
from sanarip_hub.domain.xroad_identifiers import ClientId, ServiceId
from sanarip_hub.entrypoints.hub import Hub
from sanarip_hub.errors import ConsumerError, XRoadCallRefused

OPERATOR_ISSUE = "operator call"


def security_server_post(
    settings: Settings, request: bytes, http: httpx.Client | None = None
) -> httpx.Response:
    """POST an X-Road message to the hub's security server (a metaservice call: no retries, the
    operator or the check reports a failure)."""
    post = httpx.post if http is None else http.post
    return post(
        settings.xroad.security_server_url,
        content=request,
        headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
        timeout=settings.xroad.timeout,
    )


def provider_wsdl(
    settings: Settings, service: ServiceId, user_id: str, http: httpx.Client | None = None
) -> bytes:
    """The service's WSDL from its provider's ``getWsdl`` through the security server:
    :class:`ConsumerError` for a fault or an answer that is not one, ``httpx.HTTPError`` or
    ``OSError`` when the security server is not reached."""
    from adapters.xroad.metaservice import get_wsdl_request, read_get_wsdl_answer

    client = ClientId.parse(settings.xroad.subsystem)
    request = get_wsdl_request(client, service, str(uuid.uuid4()), user_id)
    return read_get_wsdl_answer(security_server_post(settings, request, http).content, service.service_code)


def fetch_wsdl(hub: Hub, service: ServiceId, source: str | None, user_id: str) -> bytes:
    """The service's WSDL: from ``source`` (a URL or a file), else from the provider's ``getWsdl``
    through the security server."""
    settings = hub.settings
    try:
        if source is not None and source.startswith(("http://", "https://")):
            reply = httpx.get(source, timeout=settings.xroad.timeout)
            reply.raise_for_status()
            return reply.content
        if source is not None:
            return Path(source).read_bytes()
        return provider_wsdl(settings, service, user_id)
    except (httpx.HTTPError, OSError) as exc:
        where = source or settings.xroad.security_server_url
        raise XRoadCallRefused(f"cannot get the WSDL of {service} from {where}: {exc}") from None
    except ConsumerError as exc:
        raise XRoadCallRefused(
            f"the security server at {settings.xroad.security_server_url} gave no WSDL for {service}: "
            f"{exc} ({exc.fault_code}); pass --wsdl URL or FILE"
        ) from None


def xroad_call(
    hub: Hub, service: ServiceId, params: dict[str, str], wsdl: str | None, user_id: str, issue: str
) -> Any:
    """Call ``service`` with ``params``; returns the answer (a record) after ledgering the call."""
    from adapters.xroad.consumer import RetryPolicy
    from adapters.xroad.wsdl import WSDL_DIR
    from adapters.xroad.zeep_consumer import AsyncZeepConsumer
    from sanarip_hub.ledger.store import Ledger
    from sync_jobs.reconcile import outgoing_exchange

    settings = hub.settings
    document = fetch_wsdl(hub, service, wsdl, user_id)
    ledger = Ledger.for_settings(hub.engine, settings)
    client = ClientId.parse(settings.xroad.subsystem)
    with tempfile.TemporaryDirectory(prefix="sanarip-hub-wsdl-") as directory:
        path = Path(directory) / "service.wsdl"
        path.write_bytes(document)
        # a provider's WSDL imports X-Road's own schemas by a relative location, as ours do
        # (``schemas/xroad.xsd``): the standard ones are offered beside it
        shutil.copytree(WSDL_DIR / "schemas", Path(directory) / "schemas")
        consumer = AsyncZeepConsumer(
            path, service, client, settings.xroad.security_server_url,
            timeout=settings.xroad.timeout, concurrency=1, policy=RetryPolicy(attempts=1),
        )  # fmt: skip

        async def call() -> Any:
            try:
                await consumer.open()
            except AttributeError:
                raise XRoadCallRefused(f"the WSDL has no operation {service.service_code}") from None
            except Exception as exc:  # zeep's parse errors have no common base
                raise XRoadCallRefused(f"the WSDL of {service} cannot be read: {exc}") from None
            try:
                return await consumer.call(user_id=user_id, issue=issue, **params)
            finally:
                await consumer.close()

        started = time.perf_counter()
        subjects = (params["pin"],) if "pin" in params else ()

        def entry(trace: Any, outcome: str) -> None:
            ledger.append(
                outgoing_exchange(
                    str(service), trace, outcome, Channel.OPERATOR, client_id=str(client), user_id=user_id,
                    issue=issue, subjects=subjects, started=started,
                    digest=ledger.keys.pin_key.message_digest,
                )
            )  # fmt: skip

        try:
            answer = asyncio.run(call())
        except ConsumerError as exc:
            entry(exc.trace, exc.fault_code)
            raise
        except TypeError as exc:  # zeep: a parameter the operation does not take
            raise XRoadCallRefused(f"{service.service_code}: {exc}") from None
        entry(answer.trace, OK)
        return answer.body
