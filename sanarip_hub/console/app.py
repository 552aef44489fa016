"""The console's routes, mounted at ``/console`` in the hub's web app.

Every request passes one gate (:func:`Console.page`): the session from its cookie, the account and
its role (each role sees only its own section: 403 elsewhere), the CSRF token on every POST, the
language, and security headers.  Pages that show personal data write an access-ledger entry
(direction ``internal``, channel ``console``, the user and the PINs shown) *before* the page is
sent; if the ledger cannot record it, the page is refused.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from adapters.xroad.identifiers import ClientId
from sanarip_hub.actualization.workflow import MOVES, ActualizationError, move
from sanarip_hub.config import Settings
from sanarip_hub.console import queries
from sanarip_hub.console.accounts import (
    Account,
    AccountError,
    account,
    add_user,
    authenticate,
    disable,
    list_users,
)
from sanarip_hub.console.i18n import CODES, LANGUAGES, negotiate, translations
from sanarip_hub.console.sessions import COOKIE, Session, SessionStore
from sanarip_hub.domain.codes import ConsoleRole, MismatchStatus
from sanarip_hub.ledger.entry import OK, Channel, Direction, Exchange
from sanarip_hub.ledger.keys import LedgerKeys, ledger_origin
from sanarip_hub.log import get_logger
from sanarip_hub.storage.models import LedgerVerification

log = get_logger("sanarip_hub.console")
HERE = Path(__file__).parent
R = ConsoleRole
HOME = {R.OPERATOR: "/operator", R.AUDITOR: "/auditor", R.LSG_USER: "/lsg", R.ADMINISTRATOR: "/admin"}
MAX_FORM_BYTES = 64 * 1024  # the console's forms are a few fields; a larger body is refused unread
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


class Refused(Exception):
    """A request the console will not serve; ``status`` and a message for the error page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Context:
    request: Request
    session: Session
    account: Account | None
    language: str
    form: FormData | None = None
    cookie_token: str | None = None
    extra_cookie: dict[str, str] = field(default_factory=dict)

    def _(self, message: str) -> str:
        return translations(self.language).gettext(message)


Handler = Callable[[Context], Awaitable[Response]]


def _nav(role: ConsoleRole, _: Callable[[str], str]) -> list[tuple[str, str]]:
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
        ],
        R.LSG_USER: [("/lsg", _("Actualization queue"))],
        R.ADMINISTRATOR: [("/admin", _("Agreements")), ("/admin/users", _("Users"))],
    }[role]


def _role_name(role: ConsoleRole, _: Callable[[str], str]) -> str:
    return {
        R.OPERATOR: _("operator"),
        R.AUDITOR: _("auditor"),
        R.LSG_USER: _("LSG user"),
        R.ADMINISTRATOR: _("administrator"),
    }[role]


def _parse_time(value: str | None, end_of_day: bool = False) -> int | None:
    """A ``datetime-local`` or date field (UTC) as epoch milliseconds; None when empty."""
    if not value:
        return None
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
        else:
            moment = datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
            if end_of_day:
                moment += timedelta(days=1)
    except ValueError:
        raise Refused(400, f"not a date or time: {value!r}") from None
    return int(moment.timestamp() * 1000)


class Console:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        keys: LedgerKeys,
        record: Callable[[Exchange], Future[int]],
        root: str = "/console",
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.keys = keys
        self.record = record
        self.root = root
        self.sessions = SessionStore(engine, timedelta(minutes=settings.console.session_minutes))
        self.secure_cookie = bool(settings.producer.tls_cert)
        self.hub_client = str(ClientId.parse(settings.xroad.subsystem))
        self.environments: dict[str, Environment] = {}
        for code in CODES:
            environment = Environment(
                loader=FileSystemLoader(HERE / "templates"),
                autoescape=select_autoescape(["html"]),
                extensions=["jinja2.ext.i18n"],
            )
            environment.install_gettext_translations(translations(code), newstyle=True)  # type: ignore[attr-defined]
            self.environments[code] = environment

    # ---- the gate -------------------------------------------------------------------------------

    def _load(self, request: Request) -> tuple[Session, Account | None]:
        session = self.sessions.load(request.cookies.get(COOKIE))
        if session is None:
            session = self.sessions.create()
        user = account(self.engine, session.user_id) if session.user_id is not None else None
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
            context = Context(request, session, user, language)
            try:
                if allowed is not None:
                    if user is None:
                        response: Response = RedirectResponse(f"{self.root}/login", 303)
                        return self._finish(context, response)
                    if user.role not in allowed:
                        raise Refused(403, context._("This page is not for your role."))
                if request.method == "POST":
                    declared = request.headers.get("content-length", "")
                    if not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
                        raise Refused(413, context._("The form is too large."))
                    context.form = await request.form(max_files=0, max_fields=50)
                    sent = context.form.get("csrf")
                    if not session.csrf_ok(sent if isinstance(sent, str) else None):
                        raise Refused(
                            403, context._("The form has expired or did not come from this console.")
                        )
                response = await handler(context)
            except Refused as refused:
                response = self.render(
                    context,
                    "error.html",
                    {"detail": str(refused)},
                    str(refused.status),
                    status=refused.status,
                )
            except LedgerUnavailable:
                response = self.render(
                    context,
                    "error.html",
                    {
                        "detail": context._(
                            "The access could not be recorded in the ledger; nothing is shown."
                        )
                    },
                    "503",
                    status=503,
                )
            # server time of the whole page (session, queries, rendering), for operators and the bench
            response.headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            return self._finish(context, response)

        return endpoint

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
                role_name=_role_name(user.role, _) if user else "",
                nav=_nav(user.role, _) if user else [],
                here=context.request.url.path.removeprefix(self.root) or "/",
                request_path=context.request.url.path,
                title=title,
                **values,
            )
        )
        return HTMLResponse(page, status)

    def access(self, context: Context, what: str, pins: Iterable[str], purpose: str | None = None) -> None:
        """The access-ledger entry of a page that shows personal data (waits for the commit)."""
        subjects = tuple(sorted({p for p in pins if p}))
        if not subjects:
            return
        assert context.account is not None
        exchange = Exchange(
            Direction.INTERNAL,
            Channel.CONSOLE,
            service_id=f"console:{what}",
            outcome=OK,
            client_id=self.hub_client,
            user_id=f"console:{context.account.username}",
            issue=purpose,
            subjects=subjects,
        )
        try:
            self.record(exchange).result(timeout=30)
        except Exception as exc:
            log.error("console.ledger_failed", error=str(exc).splitlines()[0] if str(exc) else repr(exc))
            raise LedgerUnavailable from exc

    def form(self, context: Context, name: str) -> str:
        value = context.form.get(name) if context.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    # ---- sign in and out, language ---------------------------------------------------------------

    async def login_page(self, context: Context) -> Response:
        if context.account is not None:
            return RedirectResponse(self.root + HOME[context.account.role], 303)
        return self.render(context, "login.html", {}, context._("Log in"))

    async def login(self, context: Context) -> Response:
        username, password = self.form(context, "username"), self.form(context, "password")
        console = self.settings.console
        user = await run_in_threadpool(
            authenticate,
            self.engine,
            username,
            password,
            max_failures=console.max_failed_logins,
            lockout=timedelta(minutes=console.lockout_minutes),
        )
        if user is None:
            log.warning("console.login_failed", username=username[:64])
            return self.render(
                context,
                "login.html",
                {
                    "error": context._("Wrong user name or password, or the account is locked."),
                    "username": username,
                },
                context._("Log in"),
                status=401,
            )
        # a new session on every sign-in: a token planted before it is worth nothing after
        await run_in_threadpool(self.sessions.end, context.session)
        fresh = await run_in_threadpool(self.sessions.create, user.id, context.session.language)
        context.cookie_token = fresh.token
        log.info("console.login", username=user.username, role=user.role.value)
        return RedirectResponse(self.root + HOME[user.role], 303)

    async def logout(self, context: Context) -> Response:
        await run_in_threadpool(self.sessions.end, context.session)
        response = RedirectResponse(f"{self.root}/login", 303)
        response.delete_cookie(COOKIE, path=self.root)
        return response

    async def language(self, context: Context) -> Response:
        code = self.form(context, "lang")
        if code not in CODES:
            raise Refused(400, context._("Unknown language."))
        await run_in_threadpool(self.sessions.set_language, context.session, code)
        target = self.form(context, "next")
        if not target.startswith(self.root + "/") and target != self.root:
            target = f"{self.root}/"
        return RedirectResponse(target, 303)

    async def home(self, context: Context) -> Response:
        if context.account is None:
            return RedirectResponse(f"{self.root}/login", 303)
        return RedirectResponse(self.root + HOME[context.account.role], 303)

    # ---- operator ---------------------------------------------------------------------------------

    async def dashboard(self, context: Context) -> Response:
        board = await run_in_threadpool(queries.dashboard, self.engine)
        _ = context._
        verification = board.verification
        state = "" if verification is None else (_("intact") if verification.ok else _("PROBLEM"))
        stats = {
            "fault_rate": board.fault_rate,
            "p50": board.p50 if board.p50 is not None else "—",
            "p95": board.p95 if board.p95 is not None else "—",
            "p99": board.p99 if board.p99 is not None else "—",
            "ledger_size": f"{board.ledger_size:,}",
            "last_checkpoint": queries.utc_text(board.last_checkpoint_ms)
            if board.last_checkpoint_ms
            else "—",
            "verification": (
                _("never verified")
                if verification is None
                else f"{state} · {verification.at.strftime('%Y-%m-%d %H:%M')} · {verification.size:,}"
            ),
        }
        values = {
            "stats": stats,
            "services": board.services,
            "clients": board.clients,
            "runs": board.runs,
            "open_by_lsg": board.open_by_lsg,
            "chart": queries.chart_svg(board.series, board.hours),
        }
        return self.render(context, "dashboard.html", values, _("Dashboard"))

    def _filter(self, context: Context, keys: dict[str, str]) -> tuple[queries.LogFilter, dict[str, str]]:
        params = context.request.query_params
        raw = {key: params.get(name, "").strip()[:200] for key, name in keys.items()}
        pin = raw.get("pin") or None
        if pin is not None and not (pin.isdigit() and len(pin) == 14):
            raise Refused(400, context._("A PIN is 14 digits."))
        where = queries.LogFilter(
            since_ms=_parse_time(raw.get("since")),
            until_ms=_parse_time(raw.get("until")),
            client=raw.get("client") or None,
            service=raw.get("service") or None,
            outcome=raw.get("outcome") or None,
            message_id=raw.get("message_id") or None,
            pin=pin,
            agreement=raw.get("agreement") or None,
            denied=raw.get("denied") == "1",
        )
        return where, raw

    def _before(self, context: Context) -> int | None:
        before = context.request.query_params.get("before")
        if before is None:
            return None
        if not before.isdigit():
            raise Refused(400, "before must be a sequence number")
        return int(before)

    async def exchanges(self, context: Context) -> Response:
        names = ("since", "until", "client", "service", "outcome", "message_id", "pin")
        where, raw = self._filter(context, {n: n for n in names})
        before = self._before(context)
        entries = await run_in_threadpool(queries.exchange_log, self.engine, self.keys.pin_key, where, before)
        known = await run_in_threadpool(queries.recent_services, self.engine)
        if where.pin:
            await run_in_threadpool(
                self.access, context, "exchanges.by-pin", [where.pin], "exchange log search"
            )
        next_before = entries[-1]["seq"] if len(entries) == queries.PAGE else None
        next_query = urlencode({**{k: v for k, v in raw.items() if v}, "before": next_before})
        values = {
            "f": raw,
            "entries": entries,
            "entry_base": "operator/exchanges",
            "next_before": next_before,
            "next_query": next_query,
            "known_services": known,
        }
        return self.render(context, "exchanges.html", values, context._("Exchange log"))

    async def _entry(self, context: Context) -> tuple[int, Any]:
        seq = int(context.request.path_params["seq"])
        row = await run_in_threadpool(queries.entry, self.engine, seq)
        if row is None:
            raise Refused(404, context._("No such ledger entry."))
        return seq, row

    async def exchange(self, context: Context) -> Response:
        seq, row = await self._entry(context)
        _ = context._
        fields = [
            (_("Sequence"), row.seq),
            (_("Time (UTC)"), queries.utc_text(row.time_ms)),
            (_("Direction"), f"{row.direction}/{row.channel}"),
            (_("Client"), row.client_id),
            (_("Service"), row.service_id),
            (_("Outcome"), row.outcome),
            (_("Message id"), row.message_id),
            (_("User id"), row.user_id),
            (_("Issue"), row.issue),
            (_("Represented party"), row.represented_party),
            (_("Agreement"), row.agreement_id),
            (_("Request SHA-256"), row.request_sha256),
            (_("Request bytes"), row.request_bytes),
            (_("Response SHA-256"), row.response_sha256),
            (_("Response bytes"), row.response_bytes),
            (_("Duration, ms"), row.duration_ms),
            (_("Previous entry hash"), row.prev_hash.hex()),
            (_("Entry hash"), row.entry_hash.hex()),
            (_("Data subjects"), _("sealed (auditors search by PIN)") if row.subjects_sealed else "—"),
        ]
        return self.render(context, "entry.html", {"fields": fields}, _("Ledger entry") + f" {seq}")

    async def runs(self, context: Context) -> Response:
        runs = await run_in_threadpool(queries.runs, self.engine)
        return self.render(context, "runs.html", {"runs": runs}, context._("Sync runs"))

    async def health(self, context: Context) -> Response:
        checks = await run_in_threadpool(readiness, self.engine, self.keys)
        return self.render(context, "health.html", {"checks": checks}, context._("Health"))

    # ---- auditor ----------------------------------------------------------------------------------

    async def audit(self, context: Context) -> Response:
        where, raw = self._filter(
            context, {"pin": "pin", "client": "client", "agreement": "agreement", "denied": "denied"}
        )
        searched = any(raw.values())
        entries = []
        if searched:
            before = self._before(context)
            entries = await run_in_threadpool(
                queries.exchange_log, self.engine, self.keys.pin_key, where, before
            )
            if where.pin:
                await run_in_threadpool(
                    self.access, context, "audit.by-pin", [where.pin], "data-subject report"
                )
        values = {
            "f": {**raw, "denied": raw.get("denied") == "1"},
            "entries": entries,
            "entry_base": "auditor/entries",
        }
        return self.render(context, "audit.html", values, context._("Access ledger"))

    async def audit_entry(self, context: Context) -> Response:
        seq, row = await self._entry(context)
        _ = context._
        pins = self.keys.pin_key.unseal(row.subjects_sealed) if row.subjects_sealed else []
        await run_in_threadpool(self.access, context, "audit.entry", pins, f"ledger entry {seq}")
        fields = [
            (_("Sequence"), row.seq),
            (_("Time (UTC)"), queries.utc_text(row.time_ms)),
            (_("Client"), row.client_id),
            (_("Service"), row.service_id),
            (_("Outcome"), row.outcome),
            (_("User id"), row.user_id),
            (_("Issue"), row.issue),
            (_("Agreement"), row.agreement_id),
            (_("Data subjects"), ", ".join(pins) or "—"),
            (_("Entry hash"), row.entry_hash.hex()),
        ]
        return self.render(context, "entry.html", {"fields": fields}, _("Ledger entry") + f" {seq}")

    def _verify(self, actor: str) -> str:
        from sanarip_hub.ledger.verify import verify_and_record

        archive = self.settings.home_path(self.settings.ledger.archive_dir)
        _ok, detail = verify_and_record(
            self.engine, self.keys.verifier, ledger_origin(self.settings), actor, archive
        )
        return detail

    async def verify_page(self, context: Context) -> Response:
        from sqlalchemy import select

        def last() -> Any:
            with self.engine.connect() as connection:
                return connection.execute(
                    select(LedgerVerification).order_by(LedgerVerification.id.desc()).limit(1)
                ).first()

        row = await run_in_threadpool(last)
        _ = context._
        result = (
            _("never verified")
            if row is None
            else f"{row.at.strftime('%Y-%m-%d %H:%M')} · {row.actor} · {row.detail}"
        )
        return self.render(context, "verify.html", {"result": result}, _("Verification"))

    async def verify_now(self, context: Context) -> Response:
        assert context.account is not None
        detail = await run_in_threadpool(self._verify, f"console:{context.account.username}")
        return self.render(
            context,
            "verify.html",
            {"result": detail, "message": context._("Verified now.")},
            context._("Verification"),
        )

    async def bundle(self, context: Context) -> Response:
        from sanarip_hub.ledger.bundle import export_bundle
        from sanarip_hub.ledger.store import Ledger

        pin = self.form(context, "pin") or None
        if pin is not None and not (pin.isdigit() and len(pin) == 14):
            raise Refused(400, context._("A PIN is 14 digits."))
        since = _parse_time(self.form(context, "since"))
        until = _parse_time(self.form(context, "until"), end_of_day=True)
        if pin:
            await run_in_threadpool(self.access, context, "audit.bundle", [pin], "evidence bundle")
        workdir = Path(tempfile.mkdtemp(prefix="sanarip-bundle-"))
        target = workdir / "evidence.zip"
        ledger = Ledger.for_settings(self.engine, self.settings, self.keys)
        summary = await run_in_threadpool(
            export_bundle, ledger, target, since, until, pin, self.keys.pin_key if pin else None
        )
        log.info("console.bundle", entries=summary.entries, pin=bool(pin))

        def cleanup() -> None:
            target.unlink(missing_ok=True)
            workdir.rmdir()

        name = f"sanarip-evidence-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.zip"
        return FileResponse(
            target, filename=name, media_type="application/zip", background=BackgroundTask(cleanup)
        )

    async def agreements(self, context: Context) -> Response:
        from sanarip_hub.producer.agreements import list_agreements

        rows = await run_in_threadpool(list_agreements, self.engine)
        can_revoke = context.account is not None and context.account.role is R.ADMINISTRATOR
        return self.render(
            context,
            "agreements.html",
            {"agreements": rows, "can_revoke": can_revoke},
            context._("Agreements"),
        )

    # ---- LSG user -----------------------------------------------------------------------------------

    async def queue(self, context: Context) -> Response:
        user = context.account
        assert user is not None
        assert user.lsg_id is not None
        rows = await run_in_threadpool(queries.queue, self.engine, user.lsg_id)
        await run_in_threadpool(
            self.access, context, "lsg.queue", [r.pin for r in rows], "actualization queue"
        )
        return self.render(
            context,
            "queue.html",
            {"mismatches": rows, "lsg_name": f"{user.lsg_name} ({user.lsg_soate})"},
            context._("Actualization queue"),
        )

    def _own_mismatch(self, context: Context) -> tuple[Any, list[Any]]:
        user = context.account
        assert user is not None
        found = queries.mismatch(self.engine, int(context.request.path_params["id"]))
        if found is None or found[0].lsg_id != user.lsg_id:  # another LSG's people are not shown
            raise Refused(404, context._("No such mismatch in your LSG body."))
        return found

    def _moves(self, context: Context, status: str) -> list[tuple[str, str]]:
        _ = context._
        labels = {
            MismatchStatus.IN_REVIEW: _("Take into review"),
            MismatchStatus.ACTUALIZED: _("Actualize: take the registry's value"),
            MismatchStatus.REJECTED: _("Reject: the hub is right"),
            MismatchStatus.ESCALATED: _("Escalate to the data holder"),
        }
        return [
            (to.value, labels[to]) for to in sorted(MOVES[MismatchStatus(status)], key=list(labels).index)
        ]

    async def mismatch_page(self, context: Context, message: str | None = None) -> Response:
        row, events = await run_in_threadpool(self._own_mismatch, context)
        await run_in_threadpool(self.access, context, "lsg.mismatch", [row.pin], f"mismatch {row.id}")
        values = {"m": row, "events": events, "moves": self._moves(context, row.status), "message": message}
        return self.render(context, "mismatch.html", values, context._("Mismatch") + f" {row.id}")

    async def resolve(self, context: Context) -> Response:
        row, _events = await run_in_threadpool(self._own_mismatch, context)
        assert context.account is not None
        target = self.form(context, "to")
        try:
            to = MismatchStatus(target)
        except ValueError:
            raise Refused(400, context._("Unknown decision.")) from None
        reason = self.form(context, "reason") or None
        try:
            await run_in_threadpool(move, self.engine, row.id, to, context.account.username, reason)
        except ActualizationError as exc:
            raise Refused(409, str(exc)) from None
        await run_in_threadpool(
            self.access, context, f"lsg.resolve.{to.value}", [row.pin], f"mismatch {row.id}"
        )
        return RedirectResponse(f"{self.root}/lsg/mismatches/{row.id}?done={to.value}", 303)

    # ---- administrator ------------------------------------------------------------------------------

    async def create_agreement(self, context: Context) -> Response:
        from sanarip_hub.producer.agreements import AgreementError, AgreementSpec, store

        def listed(name: str) -> list[str]:
            return [part.strip() for part in self.form(context, name).split(",") if part.strip()]

        raw: dict[str, Any] = {
            "number": self.form(context, "number"),
            "client": self.form(context, "client"),
            "services": listed("services"),
            "purpose": self.form(context, "purpose"),
            "fields": listed("fields") or ["*"],
            "valid_from": self.form(context, "valid_from"),
        }
        if self.form(context, "valid_to"):
            raw["valid_to"] = self.form(context, "valid_to")
        try:
            for key in ("valid_from", "valid_to"):
                if key in raw:
                    raw[key] = date.fromisoformat(raw[key])
            spec = AgreementSpec.from_mapping(raw)
            await run_in_threadpool(store, self.engine, [spec])
        except (AgreementError, ValueError) as exc:
            raise Refused(400, str(exc)) from None
        assert context.account is not None
        log.info("console.agreement_created", number=spec.number, by=context.account.username)
        return RedirectResponse(f"{self.root}/admin", 303)

    async def revoke_agreement(self, context: Context) -> Response:
        from sanarip_hub.producer.agreements import AgreementError, revoke

        assert context.account is not None
        reason = self.form(context, "reason")
        if not reason:
            raise Refused(400, context._("A revocation needs a reason."))
        try:
            await run_in_threadpool(
                revoke, self.engine, context.request.path_params["number"], context.account.username, reason
            )
        except AgreementError as exc:
            raise Refused(400, str(exc)) from None
        return RedirectResponse(f"{self.root}/admin", 303)

    async def users(self, context: Context) -> Response:
        rows = await run_in_threadpool(list_users, self.engine)
        roles = [(role.value, _role_name(role, context._)) for role in R]
        return self.render(context, "users.html", {"users": rows, "roles": roles}, context._("Users"))

    async def create_user(self, context: Context) -> Response:
        try:
            role = ConsoleRole(self.form(context, "role"))
            await run_in_threadpool(
                add_user,
                self.engine,
                self.form(context, "username"),
                self.form(context, "password"),
                role,
                self.form(context, "lsg") or None,
            )
        except (AccountError, ValueError) as exc:
            raise Refused(400, str(exc)) from None
        return RedirectResponse(f"{self.root}/admin/users", 303)

    async def disable_user(self, context: Context) -> Response:
        try:
            await run_in_threadpool(disable, self.engine, context.request.path_params["name"])
        except AccountError as exc:
            raise Refused(404, str(exc)) from None
        return RedirectResponse(f"{self.root}/admin/users", 303)

    # ---- the routes -------------------------------------------------------------------------------

    def routes(self) -> list[Route | Mount]:
        p = self.page
        op, au, lsg, ad = [R.OPERATOR], [R.AUDITOR], [R.LSG_USER], [R.ADMINISTRATOR]
        return [
            Route("/", p(None, self.home), methods=["GET"]),
            Route("/login", p(None, self.login_page), methods=["GET"]),
            Route("/login", p(None, self.login), methods=["POST"]),
            Route("/logout", p(None, self.logout), methods=["POST"]),
            Route("/language", p(None, self.language), methods=["POST"]),
            Route("/operator", p(op, self.dashboard), methods=["GET"]),
            Route("/operator/exchanges", p(op, self.exchanges), methods=["GET"]),
            Route("/operator/exchanges/{seq:int}", p(op, self.exchange), methods=["GET"]),
            Route("/operator/runs", p(op, self.runs), methods=["GET"]),
            Route("/operator/health", p(op, self.health), methods=["GET"]),
            Route("/auditor", p(au, self.audit), methods=["GET"]),
            Route("/auditor/entries/{seq:int}", p(au, self.audit_entry), methods=["GET"]),
            Route("/auditor/verify", p(au, self.verify_page), methods=["GET"]),
            Route("/auditor/verify", p(au, self.verify_now), methods=["POST"]),
            Route("/auditor/bundle", p(au, self.bundle), methods=["POST"]),
            Route("/auditor/agreements", p(au, self.agreements), methods=["GET"]),
            Route("/lsg", p(lsg, self.queue), methods=["GET"]),
            Route("/lsg/mismatches/{id:int}", p(lsg, self.mismatch_page), methods=["GET"]),
            Route("/lsg/mismatches/{id:int}", p(lsg, self.resolve), methods=["POST"]),
            Route("/admin", p(ad, self.agreements), methods=["GET"]),
            Route("/admin/agreements", p(ad, self.create_agreement), methods=["POST"]),
            Route("/admin/agreements/{number:str}/revoke", p(ad, self.revoke_agreement), methods=["POST"]),
            Route("/admin/users", p(ad, self.users), methods=["GET"]),
            Route("/admin/users", p(ad, self.create_user), methods=["POST"]),
            Route("/admin/users/{name:str}/disable", p(ad, self.disable_user), methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="console-static"),
        ]

    def app(self) -> Starlette:
        return Starlette(routes=self.routes())


class LedgerUnavailable(Exception):
    """The access entry of a personal-data page could not be committed."""


def readiness(engine: Engine, keys: LedgerKeys | None) -> list[tuple[str, bool, str]]:
    """The checks of ``/readyz`` and the health page: database, migrations, ledger key."""
    from sanarip_hub.storage.migrate import current_revision, head_revision

    checks: list[tuple[str, bool, str]] = []
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks.append(("database", True, engine.url.render_as_string(hide_password=True)))
    except Exception as exc:
        checks.append(("database", False, str(exc).splitlines()[0] if str(exc) else repr(exc)))
        checks.append(("migrations", False, "database unreachable"))
    else:
        current, head = current_revision(engine), head_revision()
        checks.append(("migrations", current == head, f"at {current}, code expects {head}"))
    if keys is None:
        checks.append(("ledger key", False, "not loaded"))
    else:
        try:
            keys.signer.signature_line("readiness")
            checks.append(("ledger key", True, "loaded, signs"))
        except Exception as exc:
            checks.append(("ledger key", False, str(exc)))
    return checks
