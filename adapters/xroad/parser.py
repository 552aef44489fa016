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

Each refusal is an :class:`XmlRejected` with a ``reason`` code the SOAP fault mapping will use.
"""

from __future__ import annotations

import io

from lxml import etree

from sanarip_hub.errors import HubError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_DEPTH = 100


class XmlRejected(HubError):
    """Untrusted XML was refused; ``reason`` is one of too_large, dtd, entity, too_deep, malformed."""

    code = "xroad.xml"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def parse_xml(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH
) -> etree._Element:
    """Parse untrusted ``data`` into an element tree, or raise :class:`XmlRejected`."""
    if len(data) > max_bytes:
        raise XmlRejected("too_large", f"XML document of {len(data)} bytes exceeds the limit of {max_bytes}")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise XmlRejected("dtd", "XML with a document type declaration is not accepted")
    depth = 0
    root: etree._Element | None = None
    try:
        for event, element in etree.iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        ):
            if event == "start":
                depth += 1
                if depth > max_depth:
                    raise XmlRejected("too_deep", f"XML nesting deeper than {max_depth} levels")
                if root is None:
                    root = element
            else:
                depth -= 1
    except etree.XMLSyntaxError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "not well-formed"
        raise XmlRejected("malformed", f"malformed XML: {message}") from None
    if root is None:
        raise XmlRejected("malformed", "empty XML document")
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise XmlRejected("dtd", "XML with a document type declaration is not accepted")
    if any(isinstance(node, etree._Entity) for node in root.iter()):  # belt and braces: needs a DTD
        raise XmlRejected("entity", "XML entity references are not accepted")
    return root
