"""The administrator's pages: agreements and users."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from sanarip_hub.console.accounts import (
    add_user,
    disable,
    enable,
    list_users,
    reset_second_factor,
    set_password,
    unlock,
)
from sanarip_hub.console.gate import Context, Gate, R, log, role_name
from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.errors import AccountError, PageRefused
from sanarip_hub.storage.agreements import AgreementTable


class AdminPages(Gate):
    # the agreements page (AuditorPages, beside this in the console): a refused form is shown on it again
    agreements: Callable[..., Awaitable[Response]]

    async def create_agreement(self, context: Context) -> Response:
        """A new agreement from the form: services ticked from the published list, and for each
        either all its fields or the ones chosen from its list.  A refusal shows the form again
        with everything chosen kept."""
        from sanarip_hub.errors import AgreementError
        from sanarip_hub.producer.agreements import AgreementSpec, store

        services = self.form_list(context, "services")
        fields = {code: self.form_list(context, f"fields:{code}") or ["*"] for code in services}
        raw: dict[str, Any] = {
            "number": self.form(context, "number"),
            "client": self.form(context, "client"),
            "services": services,
            "purpose": self.form(context, "purpose"),
            "fields": fields,
            "valid_from": self.form(context, "valid_from"),
        }
        if self.form(context, "valid_to"):
            raw["valid_to"] = self.form(context, "valid_to")
        kept = {key: value for key, value in raw.items() if isinstance(value, str)}
        try:
            if not services:
                raise AgreementError(context._("Choose at least one service."))
            for key in ("valid_from", "valid_to"):
                if key in raw:
                    raw[key] = date.fromisoformat(raw[key])
            spec = AgreementSpec.from_mapping(raw)
            await run_in_threadpool(store, AgreementTable(self.engine), [spec])
        except (AgreementError, ValueError) as exc:
            form = {"kept": kept, "chosen": fields, "error": str(exc)}
            return await self.agreements(context, form, status=400)
        assert context.account is not None
        log.info("console.agreement_created", number=spec.number, by=context.account.username)
        return RedirectResponse(f"{self.root}/admin?done=created&number={quote(spec.number, safe='')}", 303)

    async def revoke_agreement(self, context: Context) -> Response:
        """End an agreement now, asked to confirm and with a reason (who, when and why are shown)."""
        from sanarip_hub.errors import AgreementError
        from sanarip_hub.producer.agreements import revoke

        assert context.account is not None
        number = context.request.path_params["number"]
        reason = self.form(context, "reason")
        try:
            if not reason:
                raise AgreementError(context._("A revocation needs a reason."))
            if self.form(context, "confirm") != "yes":
                raise AgreementError(
                    context._("Tick the box to confirm revoking {number}.").format(number=number)
                )
            await run_in_threadpool(
                revoke, AgreementTable(self.engine), number, context.account.username, reason
            )
        except AgreementError as exc:
            return await self.agreements(context, {"error": str(exc)}, status=400)
        return RedirectResponse(f"{self.root}/admin?done=revoked&number={quote(number, safe='')}", 303)

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
            "second_factor_roles": self.settings.console.second_factor_roles,
        }
        return self.render(context, "users.html", values, context._("Users"), status)

    async def create_user(self, context: Context) -> Response:
        kept = {key: self.form(context, key) for key in ("username", "role", "lsg")}
        try:
            if self.form(context, "role") not in set(ConsoleRole):
                raise AccountError(context._("Choose a role from the list."))
            role = ConsoleRole(self.form(context, "role"))
            await run_in_threadpool(
                add_user,
                self.user_table,
                kept["username"],
                self.form(context, "password"),
                role,
                kept["lsg"] or None,
            )
        except AccountError as exc:
            return await self.users(context, exc.translated(context._), kept, 400)
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
            elif action == "reset-code":
                if self.form(context, "confirm") != "yes":
                    raise AccountError(
                        context._("Tick the box to confirm that {name} lost their phone.").format(name=name)
                    )
                await run_in_threadpool(reset_second_factor, self.user_table, name)
            elif action == "password":
                await run_in_threadpool(set_password, self.user_table, name, self.form(context, "password"))
            else:
                raise PageRefused(404, context._("Not found."))
        except AccountError as exc:
            return await self.users(context, exc.translated(context._), status=400)
        log.info("console.user_changed", user=name, action=action, by=context.account.username)
        return self._done(action, name)

    def _done(self, action: str, name: str) -> Response:
        return RedirectResponse(f"{self.root}/admin/users?done={action}&user={quote(name)}", 303)


DONE = ("created", "disable", "enable", "unlock", "password", "reset-code")
