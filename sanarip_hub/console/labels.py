"""The words a console page shows for the hub's codes, in the page's language.

Sources, statuses, mismatch fields, directions, channels and fault codes are stored as codes; a
page shows each through :func:`label` (the ``|label(kind)`` filter in templates), never raw.
``tests/console/test_raw_codes.py`` renders every page in Kyrgyz and Russian and fails on a code of
these lists left in the text.  A code nobody listed (a registry's own business fault, a code a
refused request made up) is shown as it came: it is the evidence, and there is no word for it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from sanarip_hub.console.i18n import translations
from sanarip_hub.domain.readiness import MIGRATIONS_AT

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


def known(kind: str) -> frozenset[str]:
    """The codes of one list (for the raw-code test and the filters' choices)."""
    return frozenset(words("en")[kind])
