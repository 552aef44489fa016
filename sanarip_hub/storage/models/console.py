"""Console accounts and their sessions.

Passwords are stored only as Argon2id hashes.  Sessions live in the database, not in a signed
cookie: the cookie carries a random token whose SHA-256 is stored, so logging out, disabling a user
or a lockout ends a session everywhere at once, and a stolen database does not yield usable tokens.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.storage.base import Base, Timestamped, UTCDateTime, code_list, id_column


class ConsoleUser(Timestamped, Base):
    __tablename__ = "console_user"

    id: Mapped[int] = id_column()
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[ConsoleRole] = mapped_column(code_list(ConsoleRole, "console_role"))
    lsg_id: Mapped[int | None] = mapped_column(ForeignKey("lsg_body.id"))  # LSG users: their one body
    disabled: Mapped[bool] = mapped_column(Boolean, server_default="0")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the second factor (sanarip_hub.console.totp): the secret, whether the user has proved holding
    # it, and the step of the last code used (a code is never accepted twice)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled: Mapped[bool] = mapped_column(Boolean, server_default="0")
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    language: Mapped[str | None] = mapped_column(String(5))  # the language last chosen, kept across sign-ins


class ConsoleSignInFailure(Base):
    """One failed sign-in: which name was tried, from which address, when.

    Failures are counted per (account, address) and per address, over the lockout window: a run of
    them locks the account *for that address* only, and too many from one address refuse every
    sign-in from it.  Nobody outside can lock an account out of its owner's reach by guessing.
    """

    __tablename__ = "console_signin_failure"
    __table_args__ = (
        Index("ix_console_signin_failure_address", "address", "at"),
        Index("ix_console_signin_failure_username", "username", "address", "at"),
    )

    id: Mapped[int] = id_column()
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsoleSession(Base):
    __tablename__ = "console_session"

    id: Mapped[int] = id_column()
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("console_user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(5))
    # the password was right; the second factor is still owed (user_id stays empty until it is given)
    pending_user_id: Mapped[int | None] = mapped_column(ForeignKey("console_user.id", ondelete="CASCADE"))
    # where a request that found the session ended was going, and the decision it carried (JSON): the
    # page a sign-in returns to, with the clerk's text put back into its form
    resume: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
