"""The words a console page shows for the hub's codes, in the page's language.

Sources, statuses, mismatch fields, directions, channels and fault codes are stored as codes; a
page shows each through :func:`label` (the ``|label(kind)`` filter in templates), never raw.
``tests/console/test_operator_day.py`` renders every page in Kyrgyz and Russian and fails on a code of
these lists left in the text.  A code nobody listed (a registry's own business fault, a code a
refused request made up) is shown as it came: it is the evidence, and there is no word for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from sanarip_hub.console.formats import number_text
from sanarip_hub.console.i18n import translations
from sanarip_hub.domain.hub_contract import BY_CODE
from sanarip_hub.domain.readiness import MIGRATIONS_AT
from sanarip_hub.ledger.store import SUBJECT_USER

Gettext = Callable[[str], str]


def attempt_kinds(_: Gettext) -> dict[str, str]:
    """What each unauthorized outcome means, in the page's language (the owner's page and every
    other page that shows such an outcome say it alike)."""
    return {
        "Client.AccessDenied": _("X-Road call without an agreement"),
        "Console.SignInFailed": _("failed sign-in"),
        "Console.SecondFactorFailed": _("sign-in failed: wrong or reused one-time code"),
        "Console.LockedOut": _("failed sign-in that locked the account"),
        "Console.AccountLocked": _("sign-in to a locked account"),
        "Console.AccountDisabled": _("sign-in to a disabled account"),
        "Console.AddressThrottled": _("sign-in from an address refused after too many failures"),
        "Console.Forbidden": _("page of another role"),
        "Console.CsrfRefused": _("form not from this console"),
    }


def _words(_: Gettext) -> dict[str, dict[str, str]]:
    return {
        "source": {"civil-registry": _("civil registry"), "tax": _("tax service")},
        "run": {
            "running": _("running"),
            "completed": _("completed"),
            "failed": _("failed"),
            "interrupted": _("interrupted: its process stopped"),
        },
        "status": {
            "open": _("open"),
            "in_review": _("in review"),
            "actualized": _("actualized"),
            "rejected": _("rejected: the hub is right"),
            "escalated": _("escalated to the data holder"),
        },
        "field": {
            "pin": _("PIN"),
            "surname": _("surname"),
            "given_name": _("given name"),
            "patronymic": _("patronymic"),
            "marital_status": _("marital status"),
            "nationality": _("nationality"),
            "citizenship": _("citizenship"),
            "birth_date": _("date of birth"),
            "death_date": _("date of death"),
            "pin_status": _("PIN status"),
            "registered_soate": _("registered address"),
            "pin_found": _("PIN found by the registry"),
            "pin_namesakes": _("namesakes: several PINs found"),
            "business": _("registered business"),
            "household_head": _("head of household"),
        },
        "direction": {
            "in": _("served to another body"),
            "out": _("called a registry"),
            "internal": _("console"),
        },
        "channel": {"soap": "SOAP", "rest": "REST", "sync": _("reconciliation"), "console": _("console")},
        "check": {  # the readiness checks the health page shows, and their fixed details
            "database": _("database"),
            "migrations": _("database schema version"),
            "ledger key": _("ledger signing key"),
            "loaded, signs": _("loaded, signs"),
            "not loaded": _("not loaded"),
            "reachable": _("reachable"),
            "unreachable": _("unreachable"),
            "database unreachable": _("database unreachable"),
            MIGRATIONS_AT: _("at revision %(current)s; the code expects %(head)s"),
        },
        "view": {  # the console's pages that show personal data, as their ledger entries name them
            "audit.bundle": _("evidence bundle"),
            "audit.by-pin": _("a person's access report"),
            "audit.entry": _("a ledger entry"),
            "certificates.by-pin": _("a person's issued certificates"),
            "certificates.pdf": _("a certificate's PDF"),
            "exchanges.by-pin": _("exchange log searched by PIN"),
            "lsg.mismatch": _("a mismatch"),
            "lsg.queue": _("the mismatch queue"),
        },
        "element": {  # the response fields an agreement grants (the contract's element names)
            "absenceCountry": _("country of stay"),
            "absenceReason": _("reason for absence"),
            "accountNo": _("household account number"),
            "address": _("address"),
            "ageBand": _("age band"),
            "agreement": _("agreement"),
            "applications": _("applications"),
            "areaHa": _("area, ha"),
            "areaKm2": _("area, km²"),
            "areaM2": _("area, m²"),
            "areaTotalM2": _("total area, m²"),
            "balanceHolder": _("balance holder"),
            "belowGmi": _("below the guaranteed minimum income"),
            "birthDate": _("date of birth"),
            "category": _("category"),
            "cells": _("table cells"),
            "certificate": _("certificate"),
            "client": _("client"),
            "clientName": _("client's name"),
            "code": _("code"),
            "count": _("count"),
            "date": _("date"),
            "dimension": _("dimension"),
            "dwelling": _("dwelling"),
            "electricity": _("electricity"),
            "eni": _("unique property number (ENI)"),
            "flat": _("flat"),
            "gas": _("gas"),
            "gender": _("gender"),
            "givenName": _("given name"),
            "headCount": _("head count"),
            "house": _("house"),
            "householdType": _("household type"),
            "households": _("households"),
            "incomeBand": _("income band"),
            "indicator": _("indicator"),
            "inn": _("taxpayer number (INN)"),
            "inventoryNo": _("inventory number"),
            "issue": _("case or document"),
            "issuedAt": _("issued at"),
            "issuerSoate": _("issuer's СОАТЕ code"),
            "items": _("items"),
            "kind": _("kind"),
            "land": _("land plots"),
            "landHa": _("land, ha"),
            "landTotalHa": _("land in total, ha"),
            "lessees": _("lessees"),
            "livestock": _("livestock"),
            "livestockOn": _("livestock counted on"),
            "lsgName": _("LSG body"),
            "members": _("members"),
            "messageId": _("message identifier"),
            "migrantsOut": _("labour migrants abroad"),
            "name": _("name"),
            "nextReviewDue": _("next review due"),
            "outcome": _("outcome"),
            "ownership": _("ownership"),
            "passportNumber": _("social passport number"),
            "patronymic": _("patronymic"),
            "period": _("period"),
            "pin": _("PIN"),
            "population": _("population"),
            "populationByAge": _("population by age"),
            "position": _("place in the queue"),
            "purpose": _("purpose"),
            "queue": _("queue"),
            "regNumber": _("registration number"),
            "registeredAt": _("registered at"),
            "relation": _("relation to the head"),
            "resident": _("resident"),
            "residentSince": _("resident since"),
            "reviewedAt": _("reviewed on"),
            "revokedAt": _("revoked at"),
            "right": _("right to the land"),
            "rooms": _("rooms"),
            "service": _("service"),
            "services": _("services"),
            "settlement": _("settlement"),
            "settlements": _("settlements"),
            "since": _("since"),
            "soate": _("СОАТЕ code"),
            "socialObjects": _("social facilities"),
            "status": _("status"),
            "street": _("street"),
            "suppressed": _("suppressed cells"),
            "surname": _("surname"),
            "temporarilyAbsent": _("temporarily absent"),
            "text": _("address as text"),
            "time": _("time"),
            "total": _("total"),
            "type": _("type"),
            "unemployed": _("unemployed"),
            "updatedAt": _("updated at"),
            "usages": _("who received the data"),
            "useStatus": _("use status"),
            "userId": _("user identifier"),
            "validTo": _("valid to"),
            "validUntil": _("valid until"),
            "water": _("water supply"),
            "welfareCategory": _("welfare category"),
            "yearBuilt": _("year built"),
        },
        "user": {SUBJECT_USER: _("the data subject themself")},  # else the userId the client sent
        "actor": {"reconciliation": _("nightly reconciliation")},  # else a clerk's user name, as it is
        "integrity": {  # what a failed verification found (LedgerIntegrityError.kind)
            "missing": _("entries missing"),
            "altered": _("an entry altered"),
            "reordered": _("entries reordered"),
            "forged checkpoint": _("a forged checkpoint"),
        },
        "outcome": {
            "ok": _("ok"),
            **attempt_kinds(_),
            "Client.InvalidRequest": _("refused: the request is not valid"),
            "Client.InvalidContentType": _("refused: wrong content type"),
            "Client.InvalidXml": _("refused: not well-formed XML"),
            "Client.InvalidSoap": _("refused: not a SOAP envelope"),
            "Client.MessageTooLarge": _("refused: the message is too large"),
            "Client.MissingHeader": _("refused: the X-Road header is missing"),
            "Client.MissingHeaderField": _("refused: a header field is missing"),
            "Client.DuplicateHeaderField": _("refused: a header field is repeated"),
            "Client.InconsistentHeaders": _("refused: the headers contradict each other"),
            "Client.InvalidClientIdentifier": _("refused: the client identifier is malformed"),
            "Client.InvalidServiceIdentifier": _("refused: the service identifier is malformed"),
            "Client.InvalidProtocolVersion": _("refused: not X-Road message protocol 4.0"),
            "Client.MissingBody": _("refused: the message has no body"),
            "Client.InvalidBody": _("refused: the body does not match the service"),
            "Client.UnknownService": _("refused: the hub publishes no such service"),
            "Client.Disconnected": _("the client went away before the answer"),
            "Client.Timeout": _("the client's request took too long to arrive"),
            "Server.InternalError": _("the hub failed (see its log)"),
            "Server.DatabaseError": _("the hub's database failed"),
            "Server.LoggingFailed": _("not answered: the ledger could not record it"),
            "Server.Overloaded": _("not answered: the hub was overloaded"),
            "Server.NetworkError": _("the registry could not be reached"),
            "Server.BadReply": _("the registry's answer was not readable"),
            "Server.Fault": _("the registry answered with a fault"),
            "Server.ServerProxy.UnknownService": _("the security server knows no such service"),
            "Server.ServerProxy.ServiceFailed": _("the registry's service failed"),
            "CircuitOpen": _("not called: the registry failed repeatedly, calls paused"),
        },
    }


@cache
def words(language: str) -> dict[str, dict[str, str]]:
    """Every list of codes with its words in ``language`` (built once per language)."""
    return _words(translations(language).gettext)


def label(language: str, kind: str, code: object) -> str:
    """The word for ``code`` of the list ``kind``; an unlisted code as it came, a missing one "—"."""
    if code is None or code == "":
        return "—"
    text = str(code)
    if text.startswith("Server.Http") and kind == "outcome":
        status = text.removeprefix("Server.Http")
        return translations(language).gettext("the registry answered HTTP %(status)s") % {"status": status}
    return words(language).get(kind, {}).get(text, text)


_INTACT = re.compile(
    r"intact: (?P<entries>\d+) entries, (?P<checkpoints>\d+) signed checkpoints"
    r"(?:, (?P<logged>\d+) in the checkpoint log)?(?:, cosigned up to size (?P<cosigned>\d+))?$"
)
_WITNESS = re.compile(
    r"witness (?P<name>.+?): "
    r"(?:consistent up to size (?P<size>\d+)|(?P<not>not reachable|refused) \((?P<why>.*)\))$"
)
_FAILED = re.compile(r"ledger verification failed at seq (?P<seq>\d+): (?P<kind>[a-z ]+): (?P<why>.*)$", re.S)
_TOOK = re.compile(r" \((?P<seconds>\d+(?:\.\d+)?) s\)$")


def verification(language: str, detail: str) -> tuple[str, list[str]]:
    """A recorded verification's detail (``ledger.verify.verify_and_record`` writes it in English,
    for the command line and the log) in the page's language, and what is shown as it came: a
    failure's technical finding and a witness's own answer, which are the evidence.  A part this
    does not know is passed on as evidence rather than dropped."""
    _ = translations(language).gettext

    def n(digits: str) -> str:
        return number_text(int(digits), language)

    took = _TOOK.search(detail)
    detail = detail[: took.start()] if took else detail
    said: list[str] = []
    evidence: list[str] = []
    if failed := _FAILED.match(detail):
        found = label(language, "integrity", failed["kind"])
        said.append(_("failed at entry {seq}: {found}").format(seq=n(failed["seq"]), found=found))
        evidence.append(failed["why"])
        parts: list[str] = []
    else:
        parts = detail.split("; ")
    for part in parts:
        if intact := _INTACT.match(part):
            said.append(
                _("intact: {entries} entries, {checkpoints} signed checkpoints").format(
                    entries=n(intact["entries"]), checkpoints=n(intact["checkpoints"])
                )
            )
            if intact["logged"]:
                said.append(_("{count} in the checkpoint log").format(count=n(intact["logged"])))
            if intact["cosigned"]:
                said.append(_("cosigned up to size {size}").format(size=n(intact["cosigned"])))
        elif witness := _WITNESS.match(part):
            if witness["size"]:
                said.append(
                    _("witness {name}: consistent up to size {size}").format(
                        name=witness["name"], size=n(witness["size"])
                    )
                )
            else:
                unreachable = witness["not"] == "not reachable"
                message = _("witness {name}: not reachable") if unreachable else _("witness {name}: refused")
                said.append(message.format(name=witness["name"]))
                evidence.append(witness["why"])
        elif part:
            evidence.append(part)
    if took:
        said.append(_("{seconds} s").format(seconds=took["seconds"]))
    return ", ".join(said), evidence


class Issue:
    """What the console records as its own entries' issue, in English: the ledger's evidence, read
    by the command line too.  The pages that write an entry and :func:`console_issue`, which says it
    in a page's language, both take the words from here.  ``NUMBERED`` ones are followed by a space
    and the entry's number, mismatch, certificate or address."""

    QUEUE = "actualization queue"
    HISTORY = "actualization history"
    BUNDLE = "evidence bundle"
    BUNDLE_ALL = "evidence bundle (all entries)"
    CERTIFICATES = "issued certificates"
    EXCHANGE_SEARCH = "exchange log search"
    SUBJECT_REPORT = "data-subject report"
    FROM = "from"  # NUMBERED: a refused request's address
    MISMATCH = "mismatch"  # NUMBERED
    ENTRY = "ledger entry"  # NUMBERED
    CERTIFICATE = "certificate"  # NUMBERED

    @staticmethod
    def numbered(head: str, value: object) -> str:
        return f"{head} {value}"


def console_issue(language: str, issue: str | None) -> str | None:
    """A console entry's issue (:class:`Issue`) in the page's language; text it did not write
    passes as it is."""
    if not issue:
        return issue
    _ = translations(language).gettext
    fixed = {
        Issue.QUEUE: _("the mismatch queue"),
        Issue.HISTORY: _("decided mismatches"),
        Issue.BUNDLE: _("evidence bundle"),
        Issue.BUNDLE_ALL: _("evidence bundle (all entries)"),
        Issue.CERTIFICATES: _("a person's issued certificates"),
        Issue.EXCHANGE_SEARCH: _("exchange log searched by PIN"),
        Issue.SUBJECT_REPORT: _("a person's access report"),
    }
    if issue in fixed:
        return fixed[issue]
    numbered = {
        Issue.FROM: _("from {value}"),
        Issue.MISMATCH: _("mismatch {value}"),
        Issue.ENTRY: _("ledger entry {value}"),
        Issue.CERTIFICATE: _("certificate {value}"),
    }
    head, _space, value = issue.rpartition(" ")
    return numbered[head].format(value=value) if head in numbered and value else issue


def console_view(language: str, view: str) -> str | None:
    """A console page view or decision as its ledger entry names it (``lsg.queue``,
    ``lsg.resolve.actualized``) in the page's words; None for a name the console does not write."""
    console = label(language, "channel", "console")
    if view in known("view"):
        return f"{console}: {label(language, 'view', view)}"
    decided = view.removeprefix("lsg.resolve.")
    if decided != view and decided in known("status"):
        said = translations(language).gettext("decision: {status}")
        return f"{console}: {said.format(status=label(language, 'status', decided))}"
    return None


def published_title(code: str, language: str) -> str:
    """A service the hub publishes by its title in ``language``; an unknown code as it came."""
    service = BY_CODE.get(code)
    return code if service is None else service.title.get(language) or service.title["en"]


def field_path(language: str, path: str) -> str:
    """A grantable field's path (``certificate.members.surname``) in the page's words."""
    return " › ".join(label(language, "element", part) for part in path.split("."))


def known(kind: str) -> frozenset[str]:
    """The codes of one list (for the raw-code test and the filters' choices)."""
    return frozenset(words("en")[kind])
