"""Signing in and out, and the language switch."""

from __future__ import annotations

from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from sanarip_hub.console.accounts import sign_in
from sanarip_hub.console.gate import HOME, Context, Gate, client_address, log
from sanarip_hub.console.i18n import CODES
from sanarip_hub.errors import PageRefused
from sanarip_hub.storage.sessions import COOKIE


class SignIn(Gate):
    async def login_page(self, context: Context) -> Response:
        if context.account is not None:
            return RedirectResponse(self.root + HOME[context.account.role], 303)
        return self.render(context, "login.html", {}, context._("Log in"))

    async def login(self, context: Context) -> Response:
        username, password = self.form(context, "username"), self.form(context, "password")
        console = self.settings.console
        result = await run_in_threadpool(
            sign_in,
            self.user_table,
            username,
            password,
            max_failures=console.max_failed_logins,
            lockout=timedelta(minutes=console.lockout_minutes),
            address=client_address(context.request),
            per_address=console.max_failed_logins_per_address,
        )
        user = result.account
        if user is None:
            await self.refusal(context, result.refusal or "Console.SignInFailed", username.strip()[:64])
            if result.refusal == "Console.AddressThrottled":  # said apart: waiting is the way out
                error = context._(
                    "Too many failed sign-ins from your address. Try again in {minutes} minutes."
                ).format(minutes=console.lockout_minutes)
                status = 429
            else:  # the other refusals are not told apart (a guesser learns nothing)
                error, status = context._("Wrong user name or password, or the account is locked."), 401
            values = {"error": error, "username": username}
            return self.render(context, "login.html", values, context._("Log in"), status=status)
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
            raise PageRefused(400, context._("Unknown language."))
        await run_in_threadpool(self.sessions.set_language, context.session, code)
        target = self.form(context, "next")
        if not target.startswith(self.root + "/") and target != self.root:
            target = f"{self.root}/"
        return RedirectResponse(target, 303)

    async def home(self, context: Context) -> Response:
        if context.account is None:
            return RedirectResponse(f"{self.root}/login", 303)
        return RedirectResponse(self.root + HOME[context.account.role], 303)
