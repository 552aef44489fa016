"""How a person's field value is written as text, wherever a value is kept beside others of any type.

A mismatch records the hub's and the registry's values as text, ``person_field_history`` the old
and the new, and an actualization compares the person's current value with the text the mismatch
recorded: all of them must spell a value the same way, so there is one rule.  Dates are ISO
(``1980-05-17``), code-list members their code, everything else ``str``; ``None`` stays ``None``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def field_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value.value if hasattr(value, "value") else value)
