"""The ONE way untrusted XML enters the hub.

Every SOAP request, registry response and WSDL from outside goes through :func:`parse_xml`, which
refuses what X-Road messages never need and attackers love:

* documents larger than the configured limit (default 10 MiB), checked before any parsing;
* any DTD (``<!DOCTYPE``): no internal subsets, hence no entity declarations, no billion laughs, no
  external DTD fetches;
* entity references that would need resolving, and any network access (``no_network``);
* nesting deeper than the configured limit (default 100), checked while parsing so a pathological
  document is abandoned early;
* anything that is not well-formed XML.

Each refusal is an :class:`~sanarip_hub.errors.XmlRejected` (``Client.InvalidXml``, with a
``reason``: dtd, entity, too_deep, malformed) or, for size, :class:`~sanarip_hub.errors.XmlTooLarge`
(``Client.MessageTooLarge``): exchange faults that reach the client as they are.

:func:`read_head` reads only the start of a large message (its SOAP header and the first element
of its body), with the same hardening, so a request that will be refused for who sent it costs the
hub the header, not a full parse of megabytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from lxml import etree

from sanarip_hub.errors import XmlRejected, XmlTooLarge

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_DEPTH = 100


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,  # libxml2's own ceilings stay on (depth 256, text node size …)
    remove_comments=True,
    remove_pis=True,
)
_TOO_DEEP = etree.XPath("boolean(//*[count(ancestor::*) >= $limit])")


def parse_xml(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH
) -> etree._Element:
    """Parse untrusted ``data`` into an element tree, or raise :class:`XmlRejected`.

    Parsing is libxml2's in one C call (a pathological nesting is stopped by libxml2 itself at 256
    levels); the configured depth limit is then checked with one compiled XPath, which costs less
    than walking the tree event by event in Python.
    """
    if len(data) > max_bytes:
        raise XmlTooLarge(f"XML document of {len(data)} bytes exceeds the limit of {max_bytes}")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise XmlRejected("dtd", "XML with a document type declaration is not accepted")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "not well-formed"
        if "Excessive depth" in message:
            raise XmlRejected("too_deep", f"XML nesting deeper than {max_depth} levels") from None
        raise XmlRejected("malformed", f"malformed XML: {message}") from None
    if root is None:
        raise XmlRejected("malformed", "empty XML document")
    # depth ≤ number of start tags ≤ number of "<": a message with fewer cannot be too deep, and
    # counting bytes in C costs far less than the XPath walk (most messages are small)
    if data.count(b"<") > max_depth and _TOO_DEEP(root, limit=max_depth):
        raise XmlRejected("too_deep", f"XML nesting deeper than {max_depth} levels")
    if cast(Any, root.getroottree().docinfo).doctype:  # lxml-stubs lack DocInfo.doctype
        raise XmlRejected("dtd", "XML with a document type declaration is not accepted")
    if next(root.iter(etree.Entity), None) is not None:  # belt and braces: needs a DTD
        raise XmlRejected("entity", "XML entity references are not accepted")
    return root


HEAD_CHUNK = 16 * 1024


@dataclass(frozen=True)
class Head:
    """The complete SOAP header of a message and what ``wanted`` picked from the body's start."""

    header: etree._Element
    picked: etree._Element | None


def read_head(
    data: bytes,
    header_tag: str,
    wanted: Callable[[etree._Element], bool],
    *,
    budget: int = 64 * 1024,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Head | None:
    """Pull-parse ``data`` until the element ``header_tag`` has ended, then at most ``budget``
    bytes more for the first element ``wanted`` accepts; None when the prefix is not a plain
    well-formed start (the caller's full :func:`parse_xml` then names the problem).

    Events are read as the bytes are fed, so nothing after the point of interest is parsed."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None
    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    header: etree._Element | None = None
    stop_at = len(data)
    depth = 0
    try:
        for offset in range(0, len(data), HEAD_CHUNK):
            if offset >= stop_at:
                return Head(header, None) if header is not None else None
            parser.feed(data[offset : offset + HEAD_CHUNK])
            for event, item in parser.read_events():
                element = cast(etree._Element, item)  # start and end events carry elements
                depth += 1 if event == "start" else -1
                if depth > max_depth:
                    return None
                if event != "end":
                    continue
                if header is None:
                    if element.tag == header_tag:
                        header, stop_at = element, offset + HEAD_CHUNK + budget
                elif wanted(element):
                    return Head(header, element)
    except etree.XMLSyntaxError:
        return None
    return None
