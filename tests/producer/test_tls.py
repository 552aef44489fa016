"""TLS and mutual TLS: with ``producer.tls_client_ca`` set, the security server's client certificate
is required; a client without one (or with one from another CA) never reaches the application."""

from __future__ import annotations

import ssl
import time
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.producer.conftest import envelope, fault_code, free_port, pin_body, prepared_home, start_server

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def issue(
    directory: Path,
    name: str,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    *,
    ca: bool = False,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(issuer[0].subject if issuer else _name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False
        )
    cert = builder.sign(issuer[1] if issuer else key, hashes.SHA256())
    (directory / f"{name}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / f"{name}.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert, key


@pytest.mark.parametrize("workers", [1, 2])  # 2: each worker accepts, and shakes hands, itself
def test_mutual_tls_requires_the_security_servers_certificate(tmp_path: Path, workers: int) -> None:
    pki = tmp_path / "pki"
    pki.mkdir()
    ca = issue(pki, "ca", None, ca=True)
    issue(pki, "server", ca)
    issue(pki, "security-server", ca)
    rogue_ca = issue(pki, "rogue-ca", None, ca=True)
    issue(pki, "rogue", rogue_ca)

    env = prepared_home("sqlite", tmp_path / "home")
    env["SANARIP_HUB_PRODUCER_TLS_CERT"] = str(pki / "server.crt")
    env["SANARIP_HUB_PRODUCER_TLS_KEY"] = str(pki / "server.key")
    env["SANARIP_HUB_PRODUCER_TLS_CLIENT_CA"] = str(pki / "ca.crt")
    env["SANARIP_HUB_PRODUCER_WORKERS"] = str(workers)
    port = free_port()
    process = start_server(env, port)
    url = f"https://127.0.0.1:{port}"

    def client(name: str | None) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        if name:
            context.load_cert_chain(str(pki / f"{name}.crt"), str(pki / f"{name}.key"))
        return httpx.Client(verify=context, timeout=10)

    try:
        deadline = time.monotonic() + 30
        with client("security-server") as trusted:
            while True:
                assert process.poll() is None, (tmp_path / "home" / "server.log").read_text()
                try:
                    response = trusted.get(f"{url}/healthz")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            assert response.status_code == 200
            request = envelope("householdByPin", pin_body("householdByPin", "21212199999999"))
            answer = trusted.post(f"{url}/xroad", content=request, headers={"content-type": "text/xml"})
            assert fault_code(answer) == "Client.AccessDenied"  # reached the application; no agreement here
        for name in (None, "rogue"):
            with (
                client(name) as untrusted,
                pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)),
            ):
                untrusted.get(f"{url}/healthz")
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).raise_for_status()
    finally:
        process.terminate()
        process.wait(timeout=20)
