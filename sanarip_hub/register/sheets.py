"""Register records as spreadsheets: CSV files or one XLSX workbook, one sheet per record type.

LSG offices keep and send their registers as spreadsheets, so the exchange format has a flat form
beside JSON Lines: a ``households`` sheet (one row per household, the address as ``address.*``
columns) and ``members``, ``dwellings``, ``land`` and ``livestock`` sheets whose rows name their
household by ``lsg`` and ``account_no``.  The other modules lie the same way (:data:`LAYOUTS`): a
main sheet, one row per record with nested objects as ``object.field`` columns (``queue.purpose``,
``applicant.pin``), and a sheet per list whose rows name their record by ``lsg`` and its key
(``passport_members``, ``application_events``, ``property_leases`` …).  The header row holds the
field names (the record's keys); a column may be left out, an unknown one is an error.  Rows are
assembled into the same records a JSON Lines file holds, and from there validation and import are
the same.

CSV comes in UTF-8 (with or without a byte-order mark) or in Windows-1251, which Excel writes in
Russian and Kyrgyz locales; the reader takes UTF-8 when the bytes are UTF-8 and Windows-1251
otherwise (Cyrillic text in Windows-1251 is practically never valid UTF-8), and says which it used.
Excel in those locales also separates fields with ``;``: the delimiter is read from the header row.
Cells are text in CSV and typed in XLSX; both are converted by the field's type in the record schema
(a value that does not convert is left as written, for validation to report with its row).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sanarip_hub.errors import RegisterFileError
from sanarip_hub.register.jsonlines import MAX_FILE_BYTES
from sanarip_hub.register.schema import HOUSEHOLD, RECORD_TYPES

_ITEMS = HOUSEHOLD["properties"]
_PERSON = _ITEMS["members"]["items"]["properties"]["person"]["properties"]
_MEMBER = {k: v for k, v in _ITEMS["members"]["items"]["properties"].items() if k != "person"}
_LISTS = ("members", "dwellings", "land", "livestock")
_HOUSEHOLD = {k: v for k, v in _ITEMS.items() if k != "address" and k not in _LISTS}
_ADDRESS = {f"address.{k}": v for k, v in _ITEMS["address"]["properties"].items()}
_HOLDINGS = {kind: _ITEMS[kind]["items"]["properties"] for kind in _LISTS[1:]}
_KEYS = {"lsg": _ITEMS["lsg"], "account_no": _ITEMS["account_no"]}


@dataclass(frozen=True)
class Layout:
    """How one record type lies in sheets: its main sheet, the key its list sheets name it by, and
    the sheet of each list (record key -> sheet name)."""

    record_type: str
    sheet: str
    key: str
    lists: dict[str, str]


LAYOUTS = (
    Layout("household", "households", "account_no", {k: k for k in _LISTS}),
    Layout("social_passport", "social_passports", "number",
           {"members": "passport_members", "services": "passport_services"}),
    Layout("land_application", "land_applications", "reg_number", {"events": "application_events"}),
    Layout("municipal_property", "municipal_property", "inventory_no",
           {"leases": "property_leases", "events": "property_events"}),
)  # fmt: skip
LAYOUT = {layout.record_type: layout for layout in LAYOUTS}


def _flat(properties: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A record's fields as columns: nested objects as ``object.field``, lists left to their sheets."""
    columns: dict[str, dict[str, Any]] = {}
    for name, schema in properties.items():
        if schema.get("type") == "array":
            continue
        if schema.get("type") == "object":
            columns.update({f"{name}.{k}": v for k, v in schema["properties"].items()})
        else:
            columns[name] = schema
    return columns


def _module_sheets(layout: Layout) -> dict[str, dict[str, dict[str, Any]]]:
    properties = RECORD_TYPES[layout.record_type][1]["properties"]
    keys = {"lsg": properties["lsg"], layout.key: properties[layout.key]}
    return {
        layout.sheet: _flat(properties),
        **{
            sheet: {**keys, **properties[name]["items"]["properties"]} for name, sheet in layout.lists.items()
        },
    }


# sheet -> column -> its schema (the key columns first)
SHEETS: dict[str, dict[str, dict[str, Any]]] = {
    "households": {**_HOUSEHOLD, **_ADDRESS},
    "members": {**_KEYS, **_PERSON, **_MEMBER},
    **{kind: {**_KEYS, **properties} for kind, properties in _HOLDINGS.items()},
    **{sheet: columns for layout in LAYOUTS[1:] for sheet, columns in _module_sheets(layout).items()},
}
SHEET_LAYOUT = {sheet: layout for layout in LAYOUTS for sheet in (layout.sheet, *layout.lists.values())}
ENCODINGS = {"utf-8": "UTF-8", "cp1251": "Windows-1251"}
_TRUE = frozenset({"true", "1", "yes", "да", "ооба", "x", "+"})
_FALSE = frozenset({"false", "0", "no", "нет", "жок", "-"})
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def _kinds(schema: dict[str, Any]) -> tuple[str | None, bool]:
    """(the JSON type a column holds, whether it may be null)."""
    options = schema.get("anyOf", [schema])
    nullable = any(option.get("type") == "null" for option in options)
    for option in options:
        if option.get("type") not in (None, "null"):
            return str(option["type"]), nullable
    return None, nullable  # an enumeration of strings


def _value(cell: Any, kind: str | None, moment: bool = False) -> Any:
    """A cell as the schema's type, or as written when it does not convert (validation reports it);
    a date-time cell (``moment``) keeps its time, and its zone if it has one (else validation asks
    for one)."""
    if isinstance(cell, datetime):
        if moment:
            return cell.isoformat()
        cell = cell.date()
    if isinstance(cell, date):
        return cell.isoformat()
    if kind in (None, "string"):
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)  # a code or number Excel stored as a number
        return str(cell) if not isinstance(cell, str) else cell
    if kind == "boolean":
        if isinstance(cell, bool):
            return cell
        text = str(cell).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else cell
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float):
        return int(cell) if kind == "integer" and float(cell).is_integer() else cell
    text = str(cell).strip()
    if kind == "integer" and _INTEGER.match(text):
        return int(text)
    if kind == "number" and _NUMBER.match(text):
        return float(text.replace(",", "."))
    return cell


@dataclass(frozen=True)
class Sheet:
    """One sheet's rows as (row number, {column: cell}) and where it came from (for messages)."""

    name: str
    source: str
    rows: list[tuple[int, dict[str, Any]]]


def _checked_header(sheet: str, source: str, header: list[Any]) -> list[str]:
    names = [str(cell).strip() if cell is not None else "" for cell in header]
    known = SHEETS[sheet]
    unknown = [name for name in names if name and name not in known]
    if unknown:
        raise RegisterFileError(
            f"{source}: unknown column {unknown[0]!r} in the {sheet} sheet; its columns are "
            + ", ".join(known)
        )
    for key in ("lsg", SHEET_LAYOUT[sheet].key):
        if key not in names:
            raise RegisterFileError(f"{source}: the {sheet} sheet has no {key} column (header row first)")
    if sheet == "households" and not {"address.soate", "address.text"} <= set(names):
        raise RegisterFileError(f"{source}: the households sheet needs address.soate and address.text")
    return names


def _rows(sheet: str, source: str, table: Iterable[list[Any]]) -> Sheet:
    iterator = iter(table)
    header = next(iterator, None)
    if header is None:
        raise RegisterFileError(f"{source}: the {sheet} sheet is empty (a header row is needed)")
    names = _checked_header(sheet, source, list(header))
    rows = []
    for number, cells in enumerate(iterator, start=2):
        values = {
            name: cell
            for name, cell in zip(names, cells, strict=False)
            if name and cell is not None and not (isinstance(cell, str) and not cell.strip())
        }
        if values:
            rows.append((number, values))
    return Sheet(sheet, source, rows)


def decode_csv(path: Path) -> tuple[str, str]:
    """(the text, the encoding's name): UTF-8 when the bytes are UTF-8, else Windows-1251."""
    data = path.read_bytes()
    if b"\x00" in data:
        raise RegisterFileError(f"{path.name}: binary data, not CSV text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.isascii():  # digits and codes only (a livestock sheet): the same text in either encoding
        return data.decode("ascii"), "ASCII"
    try:
        return data.decode("utf-8"), ENCODINGS["utf-8"]
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), ENCODINGS["cp1251"]
    except UnicodeDecodeError as exc:  # 0x98 is the one byte Windows-1251 leaves undefined
        raise RegisterFileError(
            f"{path.name}: neither UTF-8 nor Windows-1251 text (byte {exc.start})"
        ) from None


def _csv_table(text: str, name: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise RegisterFileError(f"{name}: not CSV: {exc}") from None


def read_csv_sheets(main: Path) -> tuple[list[Sheet], str]:
    """The sheets of a CSV register of one record type (its main sheet, ``households.csv`` or
    ``land_applications.csv`` …, and the list sheets beside it), and the encoding detected."""
    layout = SHEET_LAYOUT[main.stem]
    encodings = set()
    sheets = []
    for sheet in (layout.sheet, *layout.lists.values()):
        path = main.with_name(f"{sheet}.csv")
        if not path.exists():
            continue
        _limit(path)
        text, encoding = decode_csv(path)
        encodings.add(encoding)
        sheets.append(_rows(sheet, path.name, _csv_table(text, path.name)))
    encodings.discard("ASCII")
    return sheets, " and ".join(sorted(encodings)) or ENCODINGS["utf-8"]


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    """An XLSX workbook opened for reading (closed after), or one clear error for what is not one."""
    from openpyxl import load_workbook  # a spreadsheet reader only when a workbook is imported

    _limit(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise RegisterFileError(f"{path.name}: not an XLSX workbook ({type(exc).__name__})") from None
    try:
        yield workbook
    finally:
        workbook.close()


def workbook_types(path: Path) -> list[str]:
    """The record types an XLSX register workbook holds (each sheet must be one of the record types'
    sheets, and each list sheet beside its main sheet)."""
    with _workbook(path) as workbook:
        names = workbook.sheetnames
    for name in names:
        if name not in SHEETS:
            raise RegisterFileError(
                f"{path.name}: wrong sheet {name!r}; a register workbook has the sheets " + ", ".join(SHEETS)
            )
        if SHEET_LAYOUT[name].sheet not in names:
            raise RegisterFileError(f"{path.name}: no {SHEET_LAYOUT[name].sheet} sheet for the {name} sheet")
    return [layout.record_type for layout in LAYOUTS if layout.sheet in names]


def read_xlsx_sheets(path: Path, record_type: str = "household") -> list[Sheet]:
    """The sheets of one record type in an XLSX register workbook (:func:`workbook_types` checked
    the workbook's sheets)."""
    layout = LAYOUT[record_type]
    with _workbook(path) as workbook:
        sheets = []
        for name in (layout.sheet, *layout.lists.values()):
            if name not in workbook.sheetnames:
                continue
            table = ([cell for cell in row] for row in workbook[name].iter_rows(values_only=True))
            sheets.append(_rows(name, f"{path.name}[{name}]", table))
    return sheets


def _limit(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise RegisterFileError(
            f"{path.name}: {size:,} bytes is larger than a register file can be ({MAX_FILE_BYTES:,})"
        )


def _typed(sheet: str, values: dict[str, Any]) -> dict[str, Any]:
    typed = {}
    for name, schema in SHEETS[sheet].items():
        kind, nullable = _kinds(schema)
        if name in values:
            moment = any(option.get("format") == "date-time" for option in schema.get("anyOf", [schema]))
            typed[name] = _value(values[name], kind, moment)
        elif nullable:
            typed[name] = None
    return typed


def _aliases(text: Any) -> list[dict[str, Any]]:
    """``PIN:kind:source`` entries separated by ``;`` (the aliases column)."""
    found = []
    for entry in str(text).split(";"):
        parts = [part.strip() for part in entry.split(":")]
        if parts[0]:
            found.append(
                {"pin": parts[0], "kind": parts[1] if len(parts) > 1 else "", "source": ":".join(parts[2:])}
            )
    return found


def records_of(sheets: list[Sheet], record_type: str = "household") -> Iterator[tuple[int, dict[str, Any]]]:
    """(the record's row, the record) in its main sheet's order."""
    if record_type != "household":
        yield from _module_records(sheets, LAYOUT[record_type])
        return
    households: dict[tuple[Any, Any], dict[str, Any]] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    by_name = {sheet.name: sheet for sheet in sheets}
    for number, values in by_name["households"].rows:
        typed = _typed("households", values)
        record = {k: v for k, v in typed.items() if not k.startswith("address.")}
        record["address"] = {
            k.removeprefix("address."): v for k, v in typed.items() if k.startswith("address.")
        }
        record.update({name: [] for name in _LISTS})
        households.setdefault((record.get("lsg"), record.get("account_no")), record)
        rows.append((number, record))
    for name in ("members", "dwellings", "land", "livestock"):
        sheet = by_name.get(name)
        for number, values in sheet.rows if sheet else []:
            typed = _typed(name, values)
            key = (typed.pop("lsg", None), typed.pop("account_no", None))
            household = households.get(key)
            if household is None:
                raise RegisterFileError(
                    f"{sheet.source if sheet else name}, row {number}: household {key[0]}/{key[1]} "
                    "is not in the households sheet"
                )
            if name == "members":
                person = {k: typed.pop(k) for k in list(typed) if k in _PERSON}
                person["aliases"] = _aliases(values["aliases"]) if "aliases" in values else []
                household["members"].append({"person": person, **typed})
            else:
                household[name].append(typed)
    yield from rows


def write_sheets(records: Iterable[dict[str, Any]]) -> dict[str, list[list[Any]]]:
    """The sheets (header row first) of household records: what ``register export --format csv``
    and ``--format xlsx`` write."""
    layout = LAYOUT["household"]
    tables: dict[str, list[list[Any]]] = {
        s: [list(SHEETS[s])] for s in (layout.sheet, *layout.lists.values())
    }
    for record in records:
        key = [record["lsg"], record["account_no"]]
        flat = {**record, **{f"address.{k}": v for k, v in record["address"].items()}}
        tables["households"].append([flat.get(name) for name in SHEETS["households"]])
        for member in record["members"]:
            person = member["person"]
            cells = {**person, **member}
            cells["aliases"] = ";".join(f"{a['pin']}:{a['kind']}:{a['source']}" for a in person["aliases"])
            tables["members"].append(key + [cells.get(name) for name in list(SHEETS["members"])[2:]])
        for kind in ("dwellings", "land", "livestock"):
            for row in record[kind]:
                tables[kind].append(key + [row.get(name) for name in list(SHEETS[kind])[2:]])
    return tables


def _unflat(values: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name, value in values.items():
        outer, dot, inner = name.partition(".")
        if dot:
            record.setdefault(outer, {})[inner] = value
        else:
            record[name] = value
    return record


def _module_records(sheets: list[Sheet], layout: Layout) -> Iterator[tuple[int, dict[str, Any]]]:
    by_name = {sheet.name: sheet for sheet in sheets}
    records: dict[tuple[Any, Any], dict[str, Any]] = {}
    rows = []
    for number, values in by_name[layout.sheet].rows:
        record = _unflat(_typed(layout.sheet, values))
        record.update({name: [] for name in layout.lists})
        records.setdefault((record.get("lsg"), record.get(layout.key)), record)
        rows.append((number, record))
    for name, sheet_name in layout.lists.items():
        sheet = by_name.get(sheet_name)
        for number, values in sheet.rows if sheet else []:
            typed = _typed(sheet_name, values)
            key = (typed.pop("lsg", None), typed.pop(layout.key, None))
            owner = records.get(key)
            if owner is None:
                raise RegisterFileError(
                    f"{sheet.source if sheet else sheet_name}, row {number}: {layout.key} {key[0]}/{key[1]} "
                    f"is not in the {layout.sheet} sheet"
                )
            owner[name].append(typed)
    yield from rows


def write_module_sheets(record_type: str, records: Iterable[dict[str, Any]]) -> dict[str, list[list[Any]]]:
    """The sheets (header row first) of a module's records (see :data:`LAYOUTS`)."""
    layout = LAYOUT[record_type]
    sheets = _module_sheets(layout)
    tables: dict[str, list[list[Any]]] = {sheet: [list(columns)] for sheet, columns in sheets.items()}
    for record in records:
        flat = {}
        for name, value in record.items():
            if isinstance(value, dict):
                flat.update({f"{name}.{k}": v for k, v in value.items()})
            else:
                flat[name] = value
        tables[layout.sheet].append([flat.get(name) for name in sheets[layout.sheet]])
        key = [record["lsg"], record[layout.key]]
        for name, sheet in layout.lists.items():
            for row in record[name]:
                tables[sheet].append(key + [row.get(column) for column in list(sheets[sheet])[2:]])
    return tables
