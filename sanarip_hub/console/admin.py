"""The administrator's pages: agreements and users."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from sanarip_hub.console.accounts import add_user, disable, list_users
from sanarip_hub.console.gate import Context, Gate, R, log, role_name
from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.errors import AccountError, PageRefused
from sanarip_hub.storage.agreements import AgreementTable


class AdminPages(Gate):
    async def create_agreement(self, context: Context) -> Response:
        from sanarip_hub.errors import AgreementError
        from sanarip_hub.producer.agreements import AgreementSpec, store

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
            await run_in_threadpool(store, AgreementTable(self.engine), [spec])
        except (AgreementError, ValueError) as exc:
            raise PageRefused(400, str(exc)) from None
        assert context.account is not None
        log.info("console.agreement_created", number=spec.number, by=context.account.username)
        return RedirectResponse(f"{self.root}/admin", 303)

    async def revoke_agreement(self, context: Context) -> Response:
        from sanarip_hub.errors import AgreementError
        from sanarip_hub.producer.agreements import revoke

        assert context.account is not None
        reason = self.form(context, "reason")
        if not reason:
            raise PageRefused(400, context._("A revocation needs a reason."))
        try:
            number = context.request.path_params["number"]
            await run_in_threadpool(
                revoke, AgreementTable(self.engine), number, context.account.username, reason
            )
        except AgreementError as exc:
            raise PageRefused(400, str(exc)) from None
        return RedirectResponse(f"{self.root}/admin", 303)

    async def users(self, context: Context) -> Response:
        rows = await run_in_threadpool(list_users, self.user_table)
        roles = [(role.value, role_name(role, context._)) for role in R]
        return self.render(context, "users.html", {"users": rows, "roles": roles}, context._("Users"))

    async def create_user(self, context: Context) -> Response:
        try:
            role = ConsoleRole(self.form(context, "role"))
            await run_in_threadpool(
                add_user,
                self.user_table,
                self.form(context, "username"),
                self.form(context, "password"),
                role,
                self.form(context, "lsg") or None,
            )
        except (AccountError, ValueError) as exc:
            raise PageRefused(400, str(exc)) from None
        return RedirectResponse(f"{self.root}/admin/users", 303)

    async def disable_user(self, context: Context) -> Response:
        try:
            await run_in_threadpool(disable, self.user_table, context.request.path_params["name"])
        except AccountError as exc:
            raise PageRefused(404, str(exc)) from None
        return RedirectResponse(f"{self.root}/admin/users", 303)
