"""The gate every console request passes, and what all pages share.

Every request passes one gate (:meth:`Gate.page`): the session from its cookie, the account and
its role (each role sees only its own section: 403 elsewhere), the CSRF token on every POST, the
language, and security headers.  Pages that show personal data write an access-ledger entry
(direction ``internal``, channel ``console``, the user and the PINs shown) *before* the page is
sent; if the ledger cannot record it, the page is refused.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from adapters.xroad.faults import to_wire
from sanarip_hub.config import Settings
from sanarip_hub.console.accounts import Account, account
from sanarip_hub.console.formats import moment_text, number_text
from sanarip_hub.console.i18n import CODES, LANGUAGES, negotiate, translations
from sanarip_hub.console.labels import (
    Issue,
    console_issue,
    console_view,
    field_path,
    label,
    published_title,
)
from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.domain.exchange import OK, Channel, Direction, Exchange, issue_run
from sanarip_hub.domain.identifiers import is_valid_pin
from sanarip_hub.domain.xroad_identifiers import ClientId
from sanarip_hub.errors import LedgerUnavailable, PageRefused
from sanarip_hub.ledger.keys import LedgerKeys
from sanarip_hub.ledger.verify_range import Parallel
from sanarip_hub.log import get_logger
from sanarip_hub.producer.usage_report import MemberDirectory
from sanarip_hub.storage import console_queries as queries
from sanarip_hub.storage.console_users import ConsoleUserTable
from sanarip_hub.storage.sessions import COOKIE, Session, SessionStore

if TYPE_CHECKING:  # the engine is a handle the gate passes to storage; no SQL is written here
    from sqlalchemy import Engine

log = get_logger("sanarip_hub.console")
HERE = Path(__file__).parent
R = ConsoleRole
HOME = {
    R.OPERATOR: "/operator",
    R.AUDITOR: "/auditor",
    R.LSG_USER: "/lsg",
    R.ADMINISTRATOR: "/admin",
    R.OWNER: "/owner",
}
RESUMABLE_POST = re.compile(r"/lsg/mismatches/\d+")  # a decision sent after the session ended is kept
DRAFT_FIELDS = ("to", "reason", "value")
DRAFT_CHARS = 2000
MAX_FORM_BYTES = 64 * 1024  # the console's forms are a few fields; a larger body is refused unread
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


@dataclass
class Context:
    request: Request
    session: Session
    account: Account | None
    language: str
    form: FormData | None = None
    cookie_token: str | None = None
    zone: ZoneInfo = ZoneInfo("UTC")  # the hub's ([hub] timezone), in which times are shown

    def _(self, message: str) -> str:
        return translations(self.language).gettext(message)

    def when(self, moment: datetime | int | None, seconds: bool = False) -> str:
        """A moment as the page shows it: in the hub's time zone, the zone named."""
        return moment_text(moment, self.zone, seconds)

    def number(self, value: int | float | str | None) -> str:
        """A number grouped as the page's language groups it."""
        return number_text(value, self.language)

    def label(self, kind: str, code: object) -> str:
        """The page's word for a code (:mod:`sanarip_hub.console.labels`)."""
        return label(self.language, kind, code)


Handler = Callable[[Context], Awaitable[Response]]


class Members(MemberDirectory, Protocol):
    """The usage report's member names (:class:`adapters.xroad.globalconf.MemberNames`), and which
    members' names contain a text (the exchange log's client filter)."""

    def matching(self, text: str) -> list[str]: ...


def nav_for(role: ConsoleRole, _: Callable[[str], str]) -> list[tuple[str, str]]:
    return {
        R.OPERATOR: [
            ("/operator", _("Dashboard")),
            ("/operator/exchanges", _("Exchange log")),
            ("/operator/runs", _("Sync runs")),
            ("/operator/health", _("Health")),
        ],
        R.AUDITOR: [
            ("/auditor", _("Access ledger")),
            ("/auditor/verify", _("Verification")),
            ("/auditor/agreements", _("Agreements")),
            ("/auditor/certificates", _("Issued certificates")),
        ],
        R.LSG_USER: [("/lsg", _("Actualization queue"))],
        R.ADMINISTRATOR: [("/admin", _("Agreements")), ("/admin/users", _("Users"))],
        R.OWNER: [("/owner", _("Unauthorized access"))],
    }[role]


def client_address(request: Request) -> str:
    """The address a request came from, as the console's own listener saw it (no forwarded headers
    are trusted: the console is not behind a proxy that could vouch for them)."""
    return request.client.host if request.client else "unknown"


async def small_form(request: Request, max_fields: int) -> FormData | None:
    """The request's form, read only when its declared length is at most ``MAX_FORM_BYTES``; else
    None (an undeclared or larger body is never read)."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
        return None
    return await request.form(max_files=0, max_fields=max_fields)


def resume_target(resume: str | None, role: ConsoleRole) -> tuple[str | None, str | None]:
    """Where a sign-in returns to (a path in the role's own section, else None) and the resume to
    keep in the new session (only one that carries a draft)."""
    if not resume:
        return None, None
    saved = json.loads(resume)
    path, home = str(saved.get("path", "")), HOME[role]
    if not (path == home or path.startswith((home + "/", home + "?"))):
        return None, None
    return path, (resume if "draft" in saved else None)


def role_name(role: ConsoleRole, _: Callable[[str], str]) -> str:
    return {
        R.OPERATOR: _("operator"),
        R.AUDITOR: _("auditor"),
        R.LSG_USER: _("LSG user"),
        R.ADMINISTRATOR: _("administrator"),
        R.OWNER: _("system owner"),
    }[role]


def parse_time(value: str | None, end_of_day: bool = False, zone: tzinfo = UTC) -> int | None:
    """A ``datetime-local`` or date field as epoch milliseconds; None when empty.  The field is read
    in ``zone``, the hub's, in which every page shows its times."""
    if not value:
        return None
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value).replace(tzinfo=zone)
        else:
            moment = datetime.combine(date.fromisoformat(value), datetime.min.time(), zone)
            if end_of_day:
                moment += timedelta(days=1)
    except ValueError:
        raise PageRefused(400, f"not a date or time: {value!r}") from None
    return int(moment.timestamp() * 1000)


class Gate:
    """What every console page shares: the gate each request passes, rendering, access entries."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        keys: LedgerKeys,
        record: Callable[[Exchange], Future[int]],
        root: str = "/console",
        parallel: Parallel | None = None,
        names: Members | None = None,
        called_titles: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.names = names  # X-Road members by their published names (shared-params.xml)
        # the registries' services the hub calls, by code: their titles in ky, ru and en (the
        # registries' contracts live with their adapters, which the composition root reads)
        self.called_titles = called_titles or {}
        self.parallel = parallel  # how a verification started from the console spreads over processes
        self.engine = engine
        self.user_table = ConsoleUserTable(engine)
        self.settings = settings
        self.keys = keys
        self.record = record
        self.root = root
        self.sessions = SessionStore(engine, timedelta(minutes=settings.console.session_minutes))
        self.secure_cookie = bool(settings.producer.tls_cert)
        self.hub_client = str(ClientId.parse(settings.xroad.subsystem))
        self.zone = ZoneInfo(settings.hub.timezone)
        self.environments: dict[str, Environment] = {}
        for code in CODES:
            environment = Environment(
                loader=FileSystemLoader(HERE / "templates"),
                autoescape=select_autoescape(["html"]),
                extensions=["jinja2.ext.i18n"],
            )
            environment.install_gettext_translations(translations(code), newstyle=True)  # type: ignore[attr-defined]
            environment.filters["when"] = lambda moment, seconds=False: moment_text(
                moment, self.zone, seconds
            )
            environment.filters["number"] = lambda value, language=code: number_text(value, language)
            environment.filters["label"] = lambda value, kind, language=code: label(language, kind, value)
            environment.filters["member"] = self.member
            environment.filters["service"] = partial(self.service, code)
            environment.filters["published"] = lambda value, language=code: published_title(value, language)
            environment.filters["field_path"] = lambda value, language=code: field_path(language, value)
            environment.filters["console_issue"] = lambda value, language=code: console_issue(language, value)
            self.environments[code] = environment

    # ---- the gate -------------------------------------------------------------------------------

    def _load(self, request: Request) -> tuple[Session, Account | None]:
        session = self.sessions.load(request.cookies.get(COOKIE))
        if session is None:
            session = self.sessions.create()
        user = account(self.user_table, session.user_id) if session.user_id is not None else None
        return session, user

    def page(
        self, roles: Iterable[ConsoleRole] | None, handler: Handler
    ) -> Callable[[Request], Awaitable[Response]]:
        allowed = frozenset(roles) if roles is not None else None

        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            session, user = await run_in_threadpool(self._load, request)
            language = session.language or negotiate(
                request.headers.get("accept-language"), self.settings.console.default_language
            )
            context = Context(request, session, user, language, zone=self.zone)
            try:
                if allowed is not None:
                    if user is None:
                        await self._remember(context)
                        response: Response = RedirectResponse(f"{self.root}/login", 303)
                        return self._finish(context, response)
                    if user.role not in allowed:
                        await self.refusal(context, "Console.Forbidden", user.username)
                        raise PageRefused(403, context._("This page is not for your role."))
                if request.method == "POST":
                    # an agreement's form names every field it grants: hundreds, bounded by the bytes
                    context.form = await small_form(request, max_fields=1000)
                    if context.form is None:
                        raise PageRefused(413, context._("The form is too large."))
                    sent = context.form.get("csrf")
                    if not session.csrf_ok(sent if isinstance(sent, str) else None):
                        await self.refusal(context, "Console.CsrfRefused", user.username if user else None)
                        raise PageRefused(
                            403, context._("The form has expired or did not come from this console.")
                        )
                response = await handler(context)
            except (PageRefused, LedgerUnavailable) as refused:
                wire = to_wire(refused)
                detail = (
                    context._("The access could not be recorded in the ledger; nothing is shown.")
                    if isinstance(refused, LedgerUnavailable)
                    else wire.message
                )
                response = self.render(
                    context, "error.html", {"detail": detail}, str(wire.status), status=wire.status
                )
            # server time of the whole page (session, queries, rendering), for operators and the bench
            response.headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            return self._finish(context, response)

        return endpoint

    async def _remember(self, context: Context) -> None:
        """A page asked for without a live session (it timed out): remember in the new session where
        the user was going and, for a clerk's decision, what they had written, so that signing in
        again returns there with the text back in the form (:func:`resume_target`)."""
        request = context.request
        path = request.url.path.removeprefix(self.root)
        if request.method == "GET":
            resume: dict[str, Any] = {"path": path + (f"?{request.url.query}" if request.url.query else "")}
        elif (
            RESUMABLE_POST.fullmatch(path) and (form := await small_form(request, max_fields=20)) is not None
        ):
            draft = {name: str(form.get(name) or "")[:DRAFT_CHARS] for name in DRAFT_FIELDS}
            resume = {"path": path, "draft": draft}
        else:
            return
        await run_in_threadpool(self.sessions.set_resume, context.session, json.dumps(resume))

    def resumed_draft(self, context: Context) -> dict[str, str] | None:
        """The draft a sign-in brought back for this very page, taken once (a reload shows the
        stored state again)."""
        saved = context.session.resume
        if not saved:
            return None
        resume = json.loads(saved)
        if resume.get("path") != context.request.url.path.removeprefix(self.root) or "draft" not in resume:
            return None
        self.sessions.set_resume(context.session, None)
        return {str(k): str(v) for k, v in resume["draft"].items()}

    def _finish(self, context: Context, response: Response) -> Response:
        token = context.cookie_token or (context.session.token if context.session.fresh else None)
        if token is not None:
            response.set_cookie(
                COOKIE,
                token,
                httponly=True,
                samesite="strict",
                secure=self.secure_cookie,
                path=self.root,
                max_age=self.settings.console.session_minutes * 60,
            )
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def render(
        self, context: Context, template: str, values: dict[str, Any], title: str, status: int = 200
    ) -> Response:
        user = context.account
        _ = context._
        page = (
            self.environments[context.language]
            .get_template(template)
            .render(
                root=self.root,
                lang=context.language,
                languages=LANGUAGES,
                csrf=context.session.csrf,
                user=user,
                role_name=role_name(user.role, _) if user else "",
                nav=nav_for(user.role, _) if user else [],
                here=context.request.url.path.removeprefix(self.root) or "/",
                request_path=context.request.url.path,
                title=title,
                **values,
            )
        )
        return HTMLResponse(page, status)

    def service(self, language: str, identifier: str | None) -> Markup | str:
        """A ledger entry's service: an X-Road service as its identifier; a console page view
        (``console:<view>``) in the page's words, and a refused console request as it came."""
        if not identifier:
            return "—"
        view = identifier.removeprefix("console:")
        if view == identifier:
            return identifier
        words = console_view(language, view)
        if words is None:  # a refused request's method and path, as it came
            return Markup("<code>{}</code>").format(identifier)
        return Markup('<span title="{}">{}</span>').format(identifier, words)  # the code on hover

    def member(self, identifier: str | None) -> Markup | str:
        """A client (or a service's provider) by its published name, its identifier one click away
        (a ``<details>``: no script); the identifier alone when the global configuration does not
        name it."""
        if not identifier:
            return "—"
        name = self.names.name_of(identifier) if self.names is not None else None
        if not name:
            return identifier
        return Markup('<details class="member"><summary>{}</summary><code>{}</code></details>').format(
            name, identifier
        )

    def _ledger_entry(
        self, what: str, outcome: str, username: str | None, issue: str | None, subjects: tuple[str, ...] = ()
    ) -> Future[int]:
        """Submit a console entry to the ledger: who (``console:<name>``), what, the outcome."""
        return self.record(
            Exchange(
                Direction.INTERNAL,
                Channel.CONSOLE,
                service_id=f"console:{what}",
                outcome=outcome,
                client_id=self.hub_client,
                user_id=f"console:{username}" if username else None,
                issue=issue,
                subjects=subjects,
            )
        )

    def access(self, context: Context, what: str, pins: Iterable[str], purpose: str | None = None) -> None:
        """The access-ledger entry of a page that shows personal data (waits for the commit)."""
        subjects = tuple(sorted({p for p in pins if p}))
        if not subjects:
            return
        assert context.account is not None
        try:
            self._ledger_entry(what, OK, context.account.username, purpose, subjects).result(timeout=30)
        except Exception as exc:
            log.error("console.ledger_failed", error=str(exc).splitlines()[0] if str(exc) else repr(exc))
            raise LedgerUnavailable("the access entry could not be committed") from exc

    def access_all(self, context: Context, what: str, purpose: str) -> None:
        """The access entry of an export that holds no PIN in clear but every entry of a period."""
        assert context.account is not None
        try:
            self._ledger_entry(what, OK, context.account.username, purpose).result(timeout=30)
        except Exception as exc:
            log.error("console.ledger_failed", error=str(exc).splitlines()[0] if str(exc) else repr(exc))
            raise LedgerUnavailable("the access entry could not be committed") from exc

    async def refusal(self, context: Context, outcome: str, username: str | None) -> None:
        """An unauthorized attempt at the console's door, ledgered beside X-Road's denials
        (regulation clause 15.2): a failed or locked sign-in, a page of another role, a forged form.
        The page's answer does not wait on it failing: a refusal stands without its record."""
        what = f"{context.request.method} {context.request.url.path}"
        try:
            await asyncio.wrap_future(
                self._ledger_entry(
                    what, outcome, username, Issue.numbered(Issue.FROM, client_address(context.request))
                )
            )
        except Exception as exc:
            log.error("console.ledger_failed", error=str(exc).splitlines()[0] if str(exc) else repr(exc))
        log.warning(
            "console.refused", outcome=outcome, username=(username or "")[:64], path=context.request.url.path
        )

    def form(self, context: Context, name: str) -> str:
        value = context.form.get(name) if context.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    async def not_found(self, context: Context) -> Response:
        """Any other address under the console: its own 404 page, with its frame and headers."""
        raise PageRefused(404, context._("There is no such page."))

    def form_list(self, context: Context, name: str) -> list[str]:
        """Every value of a multiple choice (checkboxes, a multi-select), in the order sent."""
        values = context.form.getlist(name) if context.form is not None else []
        return [v.strip() for v in values if isinstance(v, str) and v.strip()]

    def checked_pin(self, context: Context, text: str | None) -> str | None:
        """A PIN typed into a form or query, checked with the domain's validator (400 otherwise)."""
        if not text:
            return None
        if not is_valid_pin(text):
            raise PageRefused(400, context._("Not a valid PIN (14 digits: gender, date of birth, serial)."))
        return text

    def _filter(self, context: Context, keys: dict[str, str]) -> tuple[queries.LogFilter, dict[str, str]]:
        params = context.request.query_params
        raw = {key: params.get(name, "").strip()[:200] for key, name in keys.items()}
        pin = self.checked_pin(context, raw.get("pin"))
        where = queries.LogFilter(
            since_ms=parse_time(raw.get("since"), zone=context.zone),
            until_ms=parse_time(raw.get("until"), zone=context.zone),
            client=raw.get("client") or None,
            service=raw.get("service") or None,
            outcome=raw.get("outcome") or None,
            message_id=raw.get("message_id") or None,
            pin=pin,
            agreement=raw.get("agreement") or None,
            issue=raw.get("issue") or None,
            denied=raw.get("denied") == "1",
        )
        return where, raw

    def _before(self, context: Context) -> int | None:
        before = context.request.query_params.get("before")
        if before is None:
            return None
        if not before.isdigit():
            raise PageRefused(400, "before must be a sequence number")
        return int(before)

    def entry_page(self, context: Context, seq: int, row: Any, subjects: str) -> Response:
        """One ledger entry, every column (the operator's and the auditor's page differ only in
        ``subjects``: sealed for the operator, the PINs for the auditor)."""
        _ = context._
        outcome: Any = context.label("outcome", row.outcome)
        if row.outcome != OK:  # why it failed, in words, with the code the client or registry saw
            outcome = Markup('<span class="fault" id="why">{}</span> <code>{}</code>').format(
                outcome, row.outcome
            )
        issue: Any = console_issue(context.language, row.issue) if row.channel == "console" else row.issue
        run = issue_run(row.issue) if row.direction == Direction.OUT.value else None
        if run is not None and context.account is not None and context.account.role is R.OPERATOR:
            issue = Markup('<a id="run-link" href="{}/operator/runs/{}">{}</a> ({})').format(
                self.root, run, _("sync run %(number)s") % {"number": run}, row.issue
            )
        fields = [
            (_("Sequence"), row.seq),
            (_("Time"), context.when(row.time_ms, seconds=True)),
            (
                _("Direction"),
                f"{context.label('direction', row.direction)} · {context.label('channel', row.channel)}",
            ),
            (_("Client"), self.member(row.client_id)),
            (_("Service"), self.service(context.language, row.service_id)),
            (_("Outcome"), outcome),
            (_("Message id"), row.message_id),
            (_("User id"), context.label("user", row.user_id)),
            (_("Issue"), issue),
            (_("Represented party"), row.represented_party),
            (_("Agreement"), row.agreement_id),
            (_("Request digest (keyed)"), row.request_digest),
            (_("Request bytes"), row.request_bytes),
            (_("Response digest (keyed)"), row.response_digest),
            (_("Response bytes"), row.response_bytes),
            (_("Duration, ms"), row.duration_ms),
            (_("Previous entry hash"), row.prev_hash.hex()),
            (_("Entry hash"), row.entry_hash.hex()),
            (_("Data subjects"), subjects),
        ]
        return self.render(context, "entry.html", {"fields": fields}, _("Ledger entry") + f" {seq}")

    async def _entry(self, context: Context) -> tuple[int, Any]:
        seq = int(context.request.path_params["seq"])
        row = await run_in_threadpool(queries.entry, self.engine, seq)
        if row is None:
            raise PageRefused(404, context._("No such ledger entry."))
        return seq, row
