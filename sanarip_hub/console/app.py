"""The console's routes, mounted at ``/console`` in the hub's web app: one class combining every
role's pages (``signin``, ``operator``, ``auditor``, ``lsg``, ``admin``), all behind the gate in
:mod:`sanarip_hub.console.gate`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sanarip_hub.console.admin import AdminPages
from sanarip_hub.console.auditor import AuditorPages
from sanarip_hub.console.gate import HERE, R
from sanarip_hub.console.lsg import LsgPages
from sanarip_hub.console.operator import OperatorPages, readiness
from sanarip_hub.console.owner import OwnerPages
from sanarip_hub.console.signin import SignIn


class Console(SignIn, OperatorPages, AuditorPages, LsgPages, AdminPages, OwnerPages):
    """The whole console: every role's pages behind the one gate."""

    def routes(self) -> list[Route | Mount]:
        p = self.page
        op, au, lsg, ad, ow = [R.OPERATOR], [R.AUDITOR], [R.LSG_USER], [R.ADMINISTRATOR], [R.OWNER]
        return [
            Route("/", p(None, self.home), methods=["GET"]),
            Route("/login", p(None, self.login_page), methods=["GET"]),
            Route("/login", p(None, self.login), methods=["POST"]),
            Route("/login/code", p(None, self.code_page), methods=["GET"]),
            Route("/login/code", p(None, self.code), methods=["POST"]),
            Route("/logout", p(None, self.logout), methods=["POST"]),
            Route("/language", p(None, self.language), methods=["POST"]),
            Route("/operator", p(op, self.dashboard), methods=["GET"]),
            Route("/operator/exchanges", p(op, self.exchanges), methods=["GET"]),
            Route("/operator/exchanges/{seq:int}", p(op, self.exchange), methods=["GET"]),
            Route("/operator/runs", p(op, self.runs), methods=["GET"]),
            Route("/operator/runs/{id:int}", p(op, self.run), methods=["GET"]),
            Route("/operator/health", p(op, self.health), methods=["GET"]),
            Route("/auditor", p(au, self.audit), methods=["GET"]),
            Route("/auditor/entries/{seq:int}", p(au, self.audit_entry), methods=["GET"]),
            Route("/auditor/verify", p(au, self.verify_page), methods=["GET"]),
            Route("/auditor/verify", p(au, self.verify_now), methods=["POST"]),
            Route("/auditor/bundle", p(au, self.bundle), methods=["POST"]),
            Route("/auditor/agreements", p(au, self.agreements), methods=["GET"]),
            Route("/auditor/verifier-key", p(au, self.verifier_key), methods=["GET"]),
            Route("/auditor/certificates", p(au, self.certificates), methods=["GET"]),
            Route("/auditor/certificates/{number:str}.pdf", p(au, self.certificate_pdf), methods=["GET"]),
            Route("/lsg", p(lsg, self.queue), methods=["GET"]),
            Route("/lsg/mismatches/{id:int}", p(lsg, self.mismatch_page), methods=["GET"]),
            Route("/lsg/mismatches/{id:int}", p(lsg, self.resolve), methods=["POST"]),
            Route("/admin", p(ad, self.agreements), methods=["GET"]),
            Route("/admin/agreements", p(ad, self.create_agreement), methods=["POST"]),
            Route("/admin/agreements/{number:path}/revoke", p(ad, self.revoke_agreement), methods=["POST"]),
            Route("/admin/users", p(ad, self.users), methods=["GET"]),
            Route("/admin/users", p(ad, self.create_user), methods=["POST"]),
            Route("/admin/users/{name:str}/{action:str}", p(ad, self.user_action), methods=["POST"]),
            Route("/owner", p(ow, self.unauthorized), methods=["GET"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="console-static"),
            Route("/{rest:path}", p(None, self.not_found), methods=["GET", "POST"]),  # the console's own 404
        ]

    def app(self) -> Starlette:
        return Starlette(routes=self.routes())


__all__ = ["Console", "readiness"]
