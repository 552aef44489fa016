"""Certificates as signed XML documents: what an LSG body issues instead of a paper certificate.

Another state body receives one instead of a paper certificate (the 2021 decision in SEEDS.md), so it
must be verifiable without the hub: an enveloped XAdES signature (exclusive C14N; signing time and
signing-certificate reference in the signed properties) referencing the certificate by its ``Id``,
so it verifies inside the SOAP response or extracted from it, carrying the signer's X.509
certificate.  Signing is signxml's, not ours: hand-written XML-DSig is a classic source of
signature-wrapping bugs.

Each LSG body signs with its own key (``[certificates] keys_dir``: ``<СОАТЕ>.key`` and
``<СОАТЕ>.crt``, RSA or ECDSA; ``sanarip-hub keys certificate --lsg CODE`` makes a development pair
whose subject names the body).  A body without one signs with the hub's key (``[producer]
certificate_key``, ``keys init``), and its certificates say so: ``signingKey holder="hub"``.

A certificate is identified by its number and its *digest*: SHA-256 of the signed element's
exclusive canonical form, which a receiver computes from the copy it holds (:func:`certificate_digest`)
and hands to ``verifyCertificate`` with the number.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import methods
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.xades.xades import XAdESDataObjectFormat, XAdESSigner, XAdESVerifier

from adapters.xroad.producer.render import record_text
from sanarip_hub.config import Settings
from sanarip_hub.domain.certificates import CertificateIssue, CertificateKind
from sanarip_hub.domain.contract import Service
from sanarip_hub.errors import CertificateError
from sanarip_hub.producer.field_grants import FieldTree

CERTIFICATE_NS = "http://sanarip-aimak.gov.kg/xroad/certificate/v1"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
DS = "http://www.w3.org/2000/09/xmldsig#"
ALGORITHMS = ("rsa", "ecdsa")


def certificate_paths(settings: Settings) -> tuple[Path, Path]:
    """The hub's own signing key and certificate (the fallback for bodies without their own)."""
    return (
        settings.home_path(settings.producer.certificate_key),
        settings.home_path(settings.producer.certificate_cert),
    )


def lsg_key_paths(directory: Path, soate: str) -> tuple[Path, Path]:
    """An LSG body's own signing key and certificate in ``[certificates] keys_dir``."""
    return directory / f"{soate}.key", directory / f"{soate}.crt"


def _new_key(algorithm: str) -> Any:
    if algorithm == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write_pair(key_path: Path, cert_path: Path, name: x509.Name, algorithm: str, force: bool) -> None:
    """A development key and self-signed certificate (never for production)."""
    if (key_path.exists() or cert_path.exists()) and not force:
        raise CertificateError(f"certificate key already exists ({key_path}); use --force to replace it")
    key = _new_key(algorithm)
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


def init_certificate(settings: Settings, *, force: bool = False) -> tuple[Path, Path]:
    """The hub's development RSA key and self-signed certificate."""
    key_path, cert_path = certificate_paths(settings)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KG"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sanarip Aimak (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, settings.xroad.subsystem.split("/")[-1][:64]),
        ]
    )
    _write_pair(key_path, cert_path, name, "rsa", force)
    return key_path, cert_path


def init_lsg_certificate(
    settings: Settings, soate: str, lsg_name: str, *, algorithm: str = "ecdsa", force: bool = False
) -> tuple[Path, Path]:
    """An LSG body's development key and self-signed certificate, its subject naming the body."""
    if algorithm not in ALGORITHMS:
        raise CertificateError(f"unknown key algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}")
    key_path, cert_path = lsg_key_paths(settings.home_path(settings.certificates.keys_dir), soate)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KG"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, lsg_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"СОАТЕ {soate}"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{lsg_name[:50]} (development)"),
        ]
    )
    _write_pair(key_path, cert_path, name, algorithm, force)
    return key_path, cert_path


@dataclass(frozen=True)
class SigningKey:
    """A loaded key (loading an RSA key costs more than fifty signatures) and its certificate."""

    key: Any
    cert_pem: bytes
    holder: str  # "lsg": the issuing body's own; "hub": the hub's, for a body without one
    subject: str  # the certificate's subject, as the certificate names its signer

    @classmethod
    def load(cls, key_path: Path, cert_path: Path, holder: str, hint: str) -> SigningKey:
        try:
            key_pem, cert_pem = key_path.read_bytes(), cert_path.read_bytes()
        except FileNotFoundError as exc:
            raise CertificateError(f"certificate signing key missing: {exc.filename} ({hint})") from None
        try:
            key = serialization.load_pem_private_key(key_pem, password=None)
            cert = x509.load_pem_x509_certificate(cert_pem)
        except ValueError as exc:
            raise CertificateError(f"unusable certificate key or certificate: {exc}") from None
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise CertificateError(f"{key_path}: an RSA or ECDSA key is needed, not {type(key).__name__}")
        spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        if cert.public_key().public_bytes(*spki) != key.public_key().public_bytes(*spki):
            raise CertificateError(f"{cert_path} is not the certificate of the key {key_path}")
        return cls(key, cert_pem, holder, cert.subject.rfc4514_string())

    @property
    def method(self) -> SignatureMethod:
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            return SignatureMethod.ECDSA_SHA256
        return SignatureMethod.RSA_SHA256


@dataclass
class CertificateKeys:
    """Which key signs for which LSG body: its own from ``keys_dir`` when there, else the hub's.
    A body's key is read once, on its first certificate (a replaced key needs a restart); for a body
    without one, ``keys_dir`` is looked at again on each certificate (one ``stat``), so a key
    installed later is used without a restart."""

    hub: SigningKey
    keys_dir: Path | None = None
    _loaded: dict[str, SigningKey] = field(default_factory=dict)

    @classmethod
    def load(cls, settings: Settings) -> CertificateKeys:
        key_path, cert_path = certificate_paths(settings)
        hub = SigningKey.load(key_path, cert_path, "hub", "run 'sanarip-hub keys init'")
        return cls(hub, settings.home_path(settings.certificates.keys_dir))

    def for_lsg(self, soate: str | None) -> SigningKey:
        if soate is None or self.keys_dir is None or not soate.isdigit():
            return self.hub
        loaded = self._loaded.get(soate)
        if loaded is not None:
            return loaded
        key_path, cert_path = lsg_key_paths(self.keys_dir, soate)
        if not key_path.exists():
            return self.hub
        loaded = SigningKey.load(key_path, cert_path, "lsg", f"the LSG body {soate}'s certificate")
        self._loaded[soate] = loaded  # two threads loading it at once keep one: both are the same key
        return loaded


@dataclass(frozen=True)
class SignedCertificate:
    """A signed certificate and what the register keeps of it."""

    element: Any
    number: str
    digest: str
    key_holder: str
    data_valid_on: date
    valid_until: date

    def text(self) -> str:
        return etree.tostring(self.element, encoding="unicode")


def certificate_digest(element: Any) -> str:
    """SHA-256 (hex) of a certificate element's exclusive canonical form: the same whether the
    element stands alone or sits in the SOAP envelope it came in."""
    return hashlib.sha256(etree.tostring(element, method="c14n", exclusive=True)).hexdigest()


@dataclass(frozen=True)
class CertificateSigner:
    """Signs certificates with the issuing body's key, stating the validity each one carries."""

    keys: CertificateKeys
    valid_days: int = 30
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Bishkek"))

    @classmethod
    def load(cls, settings: Settings) -> CertificateSigner:
        return cls(
            CertificateKeys.load(settings), settings.certificates.valid_days, ZoneInfo(settings.hub.timezone)
        )

    def sign(
        self,
        kind: CertificateKind,
        service: Service,
        content: Mapping[str, Any],
        granted: FieldTree | None,
        issue: CertificateIssue,
    ) -> SignedCertificate:
        """The signed certificate: the header every certificate carries, then the granted part of
        ``content`` (``granted``: the agreement's tree within the service's ``certificate`` field)."""
        key = self.keys.for_lsg(issue.issuer_soate)
        issued_at = issue.issued_at
        token = uuid.uuid4().hex
        ident = f"c-{token}"
        number = kind.number(issued_at, token[:12])
        root = etree.Element(f"{{{CERTIFICATE_NS}}}{kind.element}", nsmap={"c": CERTIFICATE_NS})
        root.set("Id", ident)

        def add(parent: Any, name: str, value: Any) -> Any:
            child = etree.SubElement(parent, f"{{{CERTIFICATE_NS}}}{name}")
            if value is not None:
                child.text = value if isinstance(value, str) else value.isoformat()
            return child

        add(root, "number", number)
        add(root, "issuedAt", issued_at.replace(microsecond=0))
        issuer = add(root, "issuer", None)
        add(issuer, "lsgName", issue.issuer_name)
        add(issuer, "soate", issue.issuer_soate)
        add(root, "signingKey", key.subject).set("holder", key.holder)
        valid_on, valid_until = issue.data_valid_on(self.zone), issue.valid_until(self.zone, self.valid_days)
        add(root, "dataValidOn", valid_on)
        add(root, "validUntil", valid_until)
        add(root, "recipient", issue.recipient)
        if issue.purpose:
            add(root, "purpose", issue.purpose)
        add(root, "subjectPin", issue.subject_pin)
        if issue.old_pin_asked:  # the request named an old PIN: said so, never passed off as current
            add(root, "askedPin", issue.asked_pin).set("status", "old")
        body = record_text(service.fields[0].children, content, granted, "c:")
        root.extend(etree.fromstring(f'<c:body xmlns:c="{CERTIFICATE_NS}">{body}</c:body>'))
        signer = _XAdESSigner(
            method=methods.enveloped,
            signature_algorithm=key.method,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=EXC_C14N,
            data_object_format=XAdESDataObjectFormat(Description="certificate", MimeType="text/xml"),
        )
        signed = signer.sign(root, key=key.key, cert=key.cert_pem.decode("ascii"), reference_uri=ident)
        return SignedCertificate(
            signed, number, certificate_digest(signed), key.holder, valid_on, valid_until
        )


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
    """Verify a certificate against its signer's certificate; returns the signed element."""
    try:
        results = XAdESVerifier().verify(document, x509_cert=cert_pem.decode("ascii"))
    except Exception as exc:  # signxml raises several types; to a caller each means "not authentic"
        raise CertificateError(f"the certificate's signature does not verify: {exc}") from None
    return results[0].signed_xml  # the certificate (then the signed properties and the key info)


def parse_certificate(document: str | bytes) -> Any:
    """A stored certificate's element (the register keeps the signed XML it issued)."""
    data = document.encode("utf-8") if isinstance(document, str) else document
    return etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
