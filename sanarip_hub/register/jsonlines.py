"""Reading and writing register files in JSON Lines: one record per line, UTF-8.

A file that cannot be a register file (binary garbage, a line cut off mid-record, a single line
longer than any record, a file larger than any LSG body's register) is refused with one
:class:`~sanarip_hub.errors.RegisterFileError` naming the file and line, before anything is written.
A record that is well-formed JSON but wrong is not the reader's business: validation reports it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sanarip_hub.errors import RegisterFileError

MAX_FILE_BYTES = 1 << 30  # one LSG body's register is ~15 MB; the largest city's well under 1 GiB
MAX_LINE_BYTES = 1 << 20  # a household with fifty members is ~40 KB


def read_records(path: Path, max_file_bytes: int = MAX_FILE_BYTES) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for every non-blank line of ``path``."""
    size = path.stat().st_size
    if size > max_file_bytes:
        raise RegisterFileError(
            f"{path.name}: {size:,} bytes is larger than a register file can be ({max_file_bytes:,}); "
            "export one LSG body per file"
        )
    with path.open("rb") as handle:
        number = 0
        while True:
            line = handle.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_BYTES:
                raise RegisterFileError(f"{path.name}, line {number}: longer than {MAX_LINE_BYTES:,} bytes")
            if b"\x00" in line:
                raise RegisterFileError(f"{path.name}, line {number}: binary data, not JSON Lines text")
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RegisterFileError(
                    f"{path.name}, line {number}: not UTF-8 text (byte {exc.start + 1} of the line)"
                ) from None
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                cut = "" if text.endswith("\n") else " (the line is cut off: a truncated file?)"
                raise RegisterFileError(f"{path.name}, line {number}: not JSON: {exc.msg}{cut}") from None
            if not isinstance(record, dict):
                raise RegisterFileError(f"{path.name}, line {number}: a record must be a JSON object")
            yield number, record


def write_record(handle: IO[str], record: dict[str, Any]) -> None:
    handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    handle.write("\n")
