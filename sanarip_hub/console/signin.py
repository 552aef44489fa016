"""Signing in and out, and the language switch."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import segno
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from sanarip_hub.console import totp
from sanarip_hub.console.accounts import Account, second_factor, second_factor_secret, sign_in
from sanarip_hub.console.gate import HOME, Context, Gate, client_address, log, resume_target
from sanarip_hub.console.i18n import CODES
from sanarip_hub.errors import PageRefused
from sanarip_hub.storage.sessions import COOKIE


class SignIn(Gate):
    async def login_page(self, context: Context) -> Response:
        if context.account is not None:
            return RedirectResponse(self.root + HOME[context.account.role], 303)
        values = {"resuming": bool(context.session.resume)}
        return self.render(context, "login.html", values, context._("Log in"))

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
            second_factor=frozenset(console.second_factor_roles),
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
        if result.second_factor_owed:  # a session that is not signed in yet: it may only give the code
            await run_in_threadpool(self.sessions.end, context.session)
            pending = await run_in_threadpool(
                partial(
                    self.sessions.create,
                    language=context.session.language,
                    pending_user_id=user.id,
                    resume=context.session.resume,
                )
            )
            context.cookie_token = pending.token
            return RedirectResponse(f"{self.root}/login/code", 303)
        return await self._signed_in(context, user)

    async def _signed_in(self, context: Context, user: Account) -> Response:
        # a new session on every sign-in: a token planted before it is worth nothing after; the
        # language is the one chosen on this screen, else the one the user chose last time
        # a sign-in after the session ended returns to the page the user was on (in their section)
        await run_in_threadpool(self.sessions.end, context.session)
        language = context.session.language or user.language
        target, resume = resume_target(context.session.resume, user.role)
        fresh = await run_in_threadpool(partial(self.sessions.create, user.id, language, resume=resume))
        context.cookie_token = fresh.token
        log.info("console.login", username=user.username, role=user.role.value)
        return RedirectResponse(self.root + (target or HOME[user.role]), 303)

    async def code_page(self, context: Context, error: str | None = None, status: int = 200) -> Response:
        """The second step for the roles that need it: the one-time code; for an account without a
        proven secret yet, the secret to put into an authenticator app first."""
        user_id = context.session.pending_user_id
        if user_id is None:
            return RedirectResponse(f"{self.root}/login", 303)
        key = await run_in_threadpool(second_factor_secret, self.user_table, user_id)
        values: dict[str, Any] = {"error": error, "enrolling": not key.enrolled}
        if not key.enrolled:
            secret = key.secret
            uri = totp.provisioning_uri(secret, key.username, "Sanarip Hub")
            values |= {
                "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
                "uri": uri,
                "qr": segno.make(uri, error="m").svg_data_uri(scale=4),
            }
        return self.render(context, "code.html", values, context._("One-time code"), status=status)

    async def code(self, context: Context) -> Response:
        user_id = context.session.pending_user_id
        if user_id is None:
            return RedirectResponse(f"{self.root}/login", 303)
        console = self.settings.console
        result = await run_in_threadpool(
            partial(
                second_factor,
                self.user_table,
                user_id,
                self.form(context, "code"),
                max_failures=console.max_failed_logins,
                lockout=timedelta(minutes=console.lockout_minutes),
                address=client_address(context.request),
            )
        )
        if result.account is None:
            stored = await run_in_threadpool(self.user_table.by_id, user_id)
            await self.refusal(
                context, result.refusal or "Console.SecondFactorFailed", stored.username if stored else None
            )
            if result.refusal in ("Console.LockedOut", "Console.AccountLocked", "Console.AccountDisabled"):
                await run_in_threadpool(self.sessions.end, context.session)  # back to the password
                error = context._("Wrong user name or password, or the account is locked.")
                return self.render(context, "login.html", {"error": error}, context._("Log in"), status=401)
            error = context._(
                "That code is not right, or it was already used. Enter the code your app shows now."
            )
            return await self.code_page(context, error, 401)
        return await self._signed_in(context, result.account)

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
        if context.account is not None:  # kept for the user's next sign-in
            await run_in_threadpool(self.user_table.set_language, context.account.id, code)
        target = self.form(context, "next")
        if not target.startswith(self.root + "/") and target != self.root:
            target = f"{self.root}/"
        return RedirectResponse(target, 303)

    async def home(self, context: Context) -> Response:
        if context.account is None:
            return RedirectResponse(f"{self.root}/login", 303)
        return RedirectResponse(self.root + HOME[context.account.role], 303)
