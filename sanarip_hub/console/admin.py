"""The administrator's pages: agreements and users."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from sanarip_hub.console.accounts import add_user, disable, enable, list_users, set_password, unlock
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

    async def users(
        self,
        context: Context,
        error: str | None = None,
        kept: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        """The accounts (state, locked from where, last sign-in) and their actions; ``error`` and
        ``kept``: a refused form shown again with what the administrator typed (never a password)."""
        accounts = await run_in_threadpool(list_users, self.user_table, self.settings.console)
        roles = [(role.value, role_name(role, context._)) for role in R]
        done = context.request.query_params.get("done", "")
        values = {
            "accounts": accounts,
            "roles": roles,
            "role_names": dict(roles),
            "error": error,
            "kept": kept or {},
            "done": done if done in DONE else "",
            "done_user": context.request.query_params.get("user", ""),
        }
        return self.render(context, "users.html", values, context._("Users"), status)

    async def create_user(self, context: Context) -> Response:
        kept = {key: self.form(context, key) for key in ("username", "role", "lsg")}
        try:
            role = ConsoleRole(self.form(context, "role"))
            await run_in_threadpool(
                add_user,
                self.user_table,
                kept["username"],
                self.form(context, "password"),
                role,
                kept["lsg"] or None,
            )
        except (AccountError, ValueError) as exc:
            return await self.users(context, str(exc), kept, 400)
        return self._done("created", kept["username"])

    async def user_action(self, context: Context) -> Response:
        """Disable (asked to confirm; never oneself or the last administrator), enable, unlock, or
        set a new password for an account."""
        assert context.account is not None
        name, action = context.request.path_params["name"], context.request.path_params["action"]
        try:
            if action == "disable":
                if self.form(context, "confirm") != "yes":
                    raise AccountError(
                        context._("Tick the box to confirm disabling {name}.").format(name=name)
                    )
                await run_in_threadpool(disable, self.user_table, name, context.account.username)
            elif action == "enable":
                await run_in_threadpool(enable, self.user_table, name)
            elif action == "unlock":
                await run_in_threadpool(unlock, self.user_table, name)
            elif action == "password":
                await run_in_threadpool(set_password, self.user_table, name, self.form(context, "password"))
            else:
                raise PageRefused(404, context._("Not found."))
        except AccountError as exc:
            return await self.users(context, str(exc), status=400)
        log.info("console.user_changed", user=name, action=action, by=context.account.username)
        return self._done(action, name)

    def _done(self, action: str, name: str) -> Response:
        return RedirectResponse(f"{self.root}/admin/users?done={action}&user={quote(name)}", 303)


DONE = ("created", "disable", "enable", "unlock", "password")
