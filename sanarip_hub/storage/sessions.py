"""Console sessions: a random token in an HttpOnly, SameSite=Strict cookie; its hash in the database.

Every session, signed in or not, carries a CSRF token; every form posts it back and every POST
without the session's token is refused.  Sessions expire after ``session_minutes`` idle.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, Table, delete, insert, select, update

from sanarip_hub.clock import SYSTEM_CLOCK, Clock
from sanarip_hub.storage.models.console import ConsoleSession

SESSIONS: Table = ConsoleSession.__table__  # type: ignore[assignment]
COOKIE = "sanarip_console"


@dataclass
class Session:
    token: str
    user_id: int | None
    csrf: str
    language: str | None
    fresh: bool = False  # created by this request: the cookie must be set
    pending_user_id: int | None = None  # the password was right; the second factor is owed
    resume: str | None = None  # JSON: the page to return to after signing in, and its draft

    def csrf_ok(self, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(self.csrf, sent)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """Console sessions in the database (only the SHA-256 of each cookie's token), ending after
    ``idle`` without a request as ``clock`` tells it."""

    def __init__(self, engine: Engine, idle: timedelta, clock: Clock = SYSTEM_CLOCK) -> None:
        self.engine = engine
        self.idle = idle
        self.clock = clock

    def load(self, token: str | None) -> Session | None:
        """The live session of ``token`` (its idle clock restarted), or None."""
        if not token or len(token) > 100:
            return None
        now = self.clock.now()
        with self.engine.begin() as connection:
            row = connection.execute(
                select(SESSIONS).where(SESSIONS.c.token_sha256 == _digest(token))
            ).first()
            if row is None:
                return None
            if row.last_seen_at < now - self.idle:
                connection.execute(delete(SESSIONS).where(SESSIONS.c.id == row.id))
                return None
            if now - row.last_seen_at > timedelta(seconds=30):  # no write per request
                connection.execute(update(SESSIONS).where(SESSIONS.c.id == row.id).values(last_seen_at=now))
        return Session(
            token,
            row.user_id,
            row.csrf_token,
            row.language,
            pending_user_id=row.pending_user_id,
            resume=row.resume,
        )

    def create(
        self,
        user_id: int | None = None,
        language: str | None = None,
        pending_user_id: int | None = None,
        resume: str | None = None,
    ) -> Session:
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.clock.now()
        with self.engine.begin() as connection:
            connection.execute(delete(SESSIONS).where(SESSIONS.c.last_seen_at < now - self.idle))
            connection.execute(
                insert(SESSIONS).values(
                    token_sha256=_digest(token),
                    user_id=user_id,
                    csrf_token=csrf,
                    language=language,
                    pending_user_id=pending_user_id,
                    resume=resume,
                    created_at=now,
                    last_seen_at=now,
                )
            )
        return Session(
            token, user_id, csrf, language, fresh=True, pending_user_id=pending_user_id, resume=resume
        )

    def end(self, session: Session) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(SESSIONS).where(SESSIONS.c.token_sha256 == _digest(session.token)))

    def set_resume(self, session: Session, resume: str | None) -> None:
        """Remember (or forget, with None) where the session's next sign-in returns to."""
        self._set(session, resume=resume)
        session.resume = resume

    def set_language(self, session: Session, language: str) -> None:
        self._set(session, language=language)
        session.language = language

    def _set(self, session: Session, **values: str | None) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(SESSIONS).where(SESSIONS.c.token_sha256 == _digest(session.token)).values(**values)
            )
