"""A certificate's printable copy: Kyrgyz and Russian on one A4 page or more, with a QR code.

The citizen who still needs paper (a consulate abroad, an office without X-Road; seed 000) gets the
signed certificate rendered as a PDF.  The paper is not the certificate: the QR code holds the number
and digest (``sanarip-certificate:<number>?digest=<sha256 hex>``) with which the receiver asks
``verifyCertificate`` whether the signed original is valid, expired or revoked.  fpdf2 writes the
PDF (TrueType subsetting: the Cyrillic of both languages), segno the QR code.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import segno
from fpdf import FPDF
from fpdf.fonts import FontFace
from lxml import etree

from adapters.xroad.certificate import DS, parse_certificate
from sanarip_hub.domain.certificate_labels import label, value
from sanarip_hub.domain.certificates import IssuedCertificate
from sanarip_hub.domain.hub_contract import BY_CODE
from sanarip_hub.errors import CertificateError

FONT = "certificate"


def qr_payload(number: str, digest: str) -> str:
    """What the QR code holds: enough for ``verifyCertificate``, nothing personal."""
    return f"sanarip-certificate:{number}?digest={digest}"


def _name(element: Any) -> str:
    return str(etree.QName(element).localname)


def _text(element: Any, zone: ZoneInfo) -> str:
    text = (element.text or "").strip()
    if _name(element) == "issuedAt" and text:  # UTC in the document; the hub's time on paper
        moment = datetime.fromisoformat(text).astimezone(zone)
        return f"{moment:%Y-%m-%d %H:%M:%S} ({zone.key})"
    return value(text)


def _rows(element: Any) -> Iterator[Any]:
    """The certificate's elements in document order, the signature left out."""
    for child in element:
        if isinstance(child.tag, str) and child.tag != f"{{{DS}}}Signature":
            yield child


def _is_table(element: Any) -> bool:
    """A list of records (``members/member``): printed as a table."""
    items = [c for c in element if isinstance(c.tag, str)]
    return bool(items) and all(len(item) and item.tag == items[0].tag for item in items)


class _Page(FPDF):
    def __init__(self, font: Path) -> None:
        super().__init__(format="A4")
        if not font.is_file():
            raise CertificateError(
                f"no font for printable copies at {font}: install Debian's fonts-dejavu-core or set "
                "[certificates] font to a TrueType font with Cyrillic"
            )
        self.add_font(FONT, "", str(font))
        bold = font.with_name(font.stem + "-Bold" + font.suffix)
        self.add_font(FONT, "B", str(bold if bold.is_file() else font))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)


def render_pdf(issued: IssuedCertificate, font: Path, zone: ZoneInfo) -> bytes:
    """The printable copy of an issued certificate (its signed document as the register keeps it)."""
    root = parse_certificate(issued.document)
    pdf = _Page(font)
    pdf.add_page()
    title = BY_CODE[issued.kind].title
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 7, title["ky"], new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(FONT, "", 12)
    pdf.multi_cell(0, 6, title["ru"], new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(3)
    qr = io.BytesIO()
    segno.make(qr_payload(issued.number, issued.digest), error="m").save(qr, kind="png", scale=5, border=2)
    qr.seek(0)
    pdf.image(qr, x=pdf.w - 15 - 40, y=pdf.get_y(), w=40)
    width = pdf.w - 30 - 45  # beside the QR code
    for element in _rows(root):
        _print(pdf, element, width, 0, zone)
        if pdf.get_y() > 85:
            width = 0  # below the QR code: the whole line
    pdf.ln(4)
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(
        0,
        4,
        "Электрондук документтин кагаз көчүрмөсү; түп нускасы XAdES электрондук кол тамгасы менен "
        "кол коюлган. / Бумажная копия электронного документа; оригинал подписан электронной подписью "
        f"XAdES.\nSHA-256: {issued.digest}\nverifyCertificate: {issued.number}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def _print(pdf: _Page, element: Any, width: float, depth: int, zone: ZoneInfo) -> None:
    name = _name(element)
    children = [c for c in element if isinstance(c.tag, str)]
    indent = 5 * depth
    if not children:
        pdf.set_x(15 + indent)
        pdf.set_font(FONT, "B", 9)
        pdf.multi_cell(width - indent if width else 0, 5, label(name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(15 + indent + 4)
        pdf.set_font(FONT, "", 10)
        status = element.get("status")
        text = _text(element, zone) + (" (эски / прежний)" if status == "old" else "")
        if element.get("holder"):
            text = f"{value(element.get('holder'))}: {text}"
        pdf.multi_cell(width - indent - 4 if width else 0, 5, text or "—", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_x(15 + indent)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(width - indent if width else 0, 6, label(name), new_x="LMARGIN", new_y="NEXT")
    if _is_table(element):
        columns = list(dict.fromkeys(_name(cell) for item in children for cell in item))
        pdf.set_font(FONT, "", 7)
        with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=4, text_align="LEFT") as table:
            heading = table.row()
            for column in columns:
                heading.cell(label(column))
            for item in children:
                cells = {_name(cell): _text(cell, zone) for cell in item}
                row = table.row()
                for column in columns:
                    row.cell(cells.get(column, ""))
        pdf.ln(2)
        return
    for child in children:
        _print(pdf, child, width, depth + 1, zone)
