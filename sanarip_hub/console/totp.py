"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): the second factor administrators
and auditors sign in with.

Six digits, HMAC-SHA-1, 30-second steps: what every authenticator app (FreeOTP, Google
Authenticator, Aegis…) reads from an ``otpauth://`` URI.  A code is accepted one step either side
of now (a phone's clock drifts), and never twice: the step a code was used in is stored, and a
code from that step or an earlier one is refused, so a code seen over a shoulder is worth nothing.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps either side of now that are still accepted


def new_secret() -> str:
    """A fresh 160-bit secret in base32 (what an authenticator app is given), unpadded."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    text = secret.strip().replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226: the code for ``counter`` (dynamic truncation of the HMAC)."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def step_at(moment: float) -> int:
    return int(moment // STEP_SECONDS)


def code_at(secret: str, moment: float) -> str:
    """The code an authenticator shows at ``moment`` (Unix seconds)."""
    return code_of_step(secret, step_at(moment))


def code_of_step(secret: str, step: int) -> str:
    return hotp(_key(secret), step)


def accepted_step(secret: str, code: str, last_step: int | None, moment: float | None = None) -> int | None:
    """The step ``code`` belongs to, if it is right for now (± :data:`WINDOW`) and later than
    ``last_step``, the step of the last code this account used; None otherwise."""
    typed = "".join(code.split())
    if len(typed) != DIGITS or not typed.isdigit():
        return None
    now = step_at(time.time() if moment is None else moment)
    key = _key(secret)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(hotp(key, step), typed):
            return step
    return None


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The ``otpauth://totp/…`` URI an authenticator app imports (typed in, or from a QR code)."""
    label = quote(f"{issuer}:{username}")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"
