"""The household-composition certificate: an XML document signed by the LSG.

Another state body receives this instead of a paper certificate (the 2021 decision in SEEDS.md), so
it must be verifiable without the hub: an enveloped XML signature (RSA-SHA256, exclusive C14N,
referencing the certificate by its ``Id`` so it verifies inside the SOAP response or extracted
from it) carrying the LSG's X.509 certificate.  Signing is signxml's, not ours: hand-written
XML-DSig is a classic source of signature-wrapping bugs.

``sanarip-hub keys init`` makes a development key and self-signed certificate; production points
``producer.certificate_key`` and ``producer.certificate_cert`` at the LSG's real ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import methods
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.xades.xades import XAdESDataObjectFormat, XAdESSigner, XAdESVerifier

from sanarip_hub.config import Settings
from sanarip_hub.domain.certificates import CertificateIssue
from sanarip_hub.errors import CertificateError

CERTIFICATE_NS = "http://sanarip-aimak.gov.kg/xroad/certificate/v1"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
DS = "http://www.w3.org/2000/09/xmldsig#"


def certificate_paths(settings: Settings) -> tuple[Path, Path]:
    return (
        settings.home_path(settings.producer.certificate_key),
        settings.home_path(settings.producer.certificate_cert),
    )


def init_certificate(settings: Settings, *, force: bool = False) -> tuple[Path, Path]:
    """A development RSA key and self-signed certificate for signing (never for production)."""
    key_path, cert_path = certificate_paths(settings)
    if (key_path.exists() or cert_path.exists()) and not force:
        raise CertificateError(f"certificate key already exists ({key_path}); use --force to replace it")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KG"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sanarip Aimak (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, settings.xroad.subsystem.split("/")[-1][:64]),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3 * 365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.unlink(missing_ok=True)
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@dataclass(frozen=True)
class CertificateSigner:
    """The LSG's signing key, loaded once (loading an RSA key costs more than fifty signatures),
    with the validity every certificate it signs carries."""

    key: Any
    cert_pem: bytes
    valid_days: int = 30
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Bishkek"))

    @classmethod
    def load(cls, settings: Settings) -> CertificateSigner:
        key_path, cert_path = certificate_paths(settings)
        try:
            key_pem, cert_pem = key_path.read_bytes(), cert_path.read_bytes()
        except FileNotFoundError as exc:
            raise CertificateError(
                f"certificate signing key missing: {exc.filename} (run 'sanarip-hub keys init')"
            ) from None
        try:
            key = serialization.load_pem_private_key(key_pem, password=None)
            x509.load_pem_x509_certificate(cert_pem)
        except ValueError as exc:
            raise CertificateError(f"unusable certificate key or certificate: {exc}") from None
        return cls(key, cert_pem, settings.certificates.valid_days, ZoneInfo(settings.hub.timezone))

    def sign(self, card: Mapping[str, Any], issue: CertificateIssue) -> Any:
        """The signed ``familyCompositionCertificate`` element for one household card."""
        issued_at = issue.issued_at
        ident = f"fc-{uuid.uuid4()}"
        root = etree.Element(
            f"{{{CERTIFICATE_NS}}}familyCompositionCertificate", nsmap={"fc": CERTIFICATE_NS}
        )
        root.set("Id", ident)

        def add(parent: Any, name: str, value: Any) -> Any:
            child = etree.SubElement(parent, f"{{{CERTIFICATE_NS}}}{name}")
            if value is not None:
                child.text = value if isinstance(value, str) else value.isoformat()
            return child

        add(root, "number", f"FC-{issued_at:%Y%m%d}-{ident[3:11].upper()}")
        add(root, "issuedAt", issued_at.replace(microsecond=0))
        issuer = add(root, "issuer", None)
        add(issuer, "lsgName", card["lsgName"])
        add(issuer, "soate", card["lsgSoate"])
        add(root, "dataValidOn", issue.data_valid_on(self.zone))
        add(root, "validUntil", issue.valid_until(self.zone, self.valid_days))
        add(root, "recipient", issue.recipient)
        if issue.purpose:
            add(root, "purpose", issue.purpose)
        add(root, "subjectPin", issue.subject_pin)
        if issue.old_pin_asked:  # the request named an old PIN: said so, never passed off as current
            add(root, "askedPin", issue.asked_pin).set("status", "old")
        add(root, "accountNo", card["accountNo"])
        add(root, "address", card["address"]["text"])
        members = add(root, "members", None)
        for member in card["members"]:
            entry = add(members, "member", None)
            for key in ("pin", "surname", "givenName", "patronymic", "birthDate", "gender", "relation"):
                if member.get(key) is not None:
                    add(entry, key, member[key])
        signer = _XAdESSigner(
            method=methods.enveloped,
            signature_algorithm=SignatureMethod.RSA_SHA256,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=EXC_C14N,
            data_object_format=XAdESDataObjectFormat(Description="certificate", MimeType="text/xml"),
        )
        return signer.sign(root, key=self.key, cert=self.cert_pem.decode("ascii"), reference_uri=ident)


class _XAdESSigner(XAdESSigner):
    """signxml's XAdES signer (signing time and signing-certificate reference in signed properties),
    with one repair.  Its references to the SignedProperties and KeyInfo carry no ``Transforms``,
    so a verifier canonicalizes them with inclusive C14N (XMLDSig §4.4.3.3) while signxml digested
    them with the signer's exclusive C14N: xmlsec1 rejected every such signature, and inclusive C14N
    is no way out, since a certificate extracted from the SOAP envelope brings the envelope's
    namespaces with it.  Each of those references here names the exclusive C14N it was digested with."""

    def _add_reference_to_signed_info(self, sig_root: Any, node_to_reference: Any, **attrs: Any) -> None:
        super()._add_reference_to_signed_info(sig_root, node_to_reference, **attrs)  # type: ignore[no-untyped-call]
        reference = sig_root.find(f"{{{DS}}}SignedInfo")[-1]
        transforms = etree.Element(f"{{{DS}}}Transforms")
        etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=EXC_C14N)
        reference.insert(0, transforms)


def verify_certificate(document: bytes | Any, cert_pem: bytes) -> Any:
    """Verify a certificate against the LSG's certificate; returns the signed element."""
    try:
        results = XAdESVerifier().verify(document, x509_cert=cert_pem.decode("ascii"))
    except Exception as exc:  # signxml raises several types; to a caller each means "not authentic"
        raise CertificateError(f"the certificate's signature does not verify: {exc}") from None
    return results[0].signed_xml  # the certificate (then the signed properties and the key info)
