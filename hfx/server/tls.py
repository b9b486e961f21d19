"""mTLS credentials: HumanFirst's credentials JSON, generation of test credentials, gRPC server credentials.

The credentials file written by ``hf integrations create custom ... --key-out FILE`` looks like::

    {"local_keypair": {"certificate": "-----BEGIN CERTIFICATE-----...", "private_key": "-----BEGIN ..."},
     "remote_certificate": "-----BEGIN CERTIFICATE-----..."}

``local_keypair`` is the server's certificate and key, ``remote_certificate`` the certificate HumanFirst presents
as a client (it is the trust root for client authentication). Unknown keys are ignored.
Private keys are never logged or printed.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hfx.errors import HfxError, InputError, pointer
from hfx.fileio import atomic_write
from hfx.formats.jsontext import dumps_json

DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")
CREDENTIALS_FILE = "credentials.json"
CLIENT_CREDENTIALS_FILE = "client-credentials.json"
CLIENT_CERT_FILE = "client.crt"
CLIENT_KEY_FILE = "client.key"
SERVER_CERT_FILE = "server.crt"


@dataclass(frozen=True)
class Credentials:
    """PEM bytes of one side's key pair and of the peer's certificate."""

    certificate: bytes
    private_key: bytes = field(repr=False)
    remote_certificate: bytes
    source: str = "<credentials>"


def _first(obj: dict[str, Any], *names: str) -> tuple[str | None, Any]:
    for name in names:
        if name in obj:
            return name, obj[name]
    return None, None


def _pem(value: Any, source: str, where: str, marker: str) -> bytes:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"expected a PEM string ({marker})", source=source, pointer=where)
    text = value.replace("\r\n", "\n").strip() + "\n"
    if f"-----BEGIN {marker}" not in text and not (marker == "PRIVATE KEY" and "PRIVATE KEY-----" in text):
        raise InputError(f"not a PEM {marker.lower()}", source=source, pointer=where)
    return text.encode("utf-8")


def parse_credentials(obj: Any, *, source: str = "<credentials>") -> Credentials:
    """Read a parsed credentials JSON object; accepts snake_case and camelCase keys, ignores unknown keys."""
    if not isinstance(obj, dict):
        raise InputError("credentials must be a JSON object", source=source, pointer="")
    kp_name, keypair = _first(obj, "local_keypair", "localKeypair", "local_key_pair", "localKeyPair")
    if kp_name is None:
        raise InputError("missing 'local_keypair'", source=source, pointer="")
    if not isinstance(keypair, dict):
        raise InputError("expected an object", source=source, pointer=pointer(kp_name))
    cert_name, cert = _first(keypair, "certificate", "cert")
    if cert_name is None:
        raise InputError("missing 'certificate'", source=source, pointer=pointer(kp_name))
    key_name, key = _first(keypair, "private_key", "privateKey", "key")
    if key_name is None:
        raise InputError("missing 'private_key'", source=source, pointer=pointer(kp_name))
    remote_name, remote = _first(obj, "remote_certificate", "remoteCertificate")
    if remote_name is None:
        raise InputError("missing 'remote_certificate'", source=source, pointer="")
    return Credentials(
        certificate=_pem(cert, source, pointer(kp_name, cert_name), "CERTIFICATE"),
        private_key=_pem(key, source, pointer(kp_name, key_name), "PRIVATE KEY"),
        remote_certificate=_pem(remote, source, pointer(remote_name), "CERTIFICATE"),
        source=source,
    )


def load_credentials(path: str | os.PathLike[str]) -> Credentials:
    """Load a credentials JSON file (tolerant of BOM, CRLF and extra keys)."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read credentials: {exc.strerror or exc}", source=source, pointer="") from None
    if raw.lstrip().startswith(b"-----BEGIN"):
        raise InputError(
            "this is a PEM file; pass the credentials JSON (local_keypair.certificate/private_key + "
            "remote_certificate), e.g. from `hf integrations create custom ... --key-out FILE` or "
            "`hfx creds generate`",
            source=source,
            pointer="",
        )
    try:
        obj = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", source=source, pointer="") from None
    return parse_credentials(obj, source=source)


def credentials_json(creds: Credentials) -> bytes:
    """Serialize in HumanFirst's format (deterministic key order)."""
    obj = {
        "local_keypair": {
            "certificate": creds.certificate.decode(),
            "private_key": creds.private_key.decode(),
        },
        "remote_certificate": creds.remote_certificate.decode(),
    }
    return dumps_json(obj)


def server_credentials(creds: Credentials) -> Any:
    """gRPC server credentials that require a client certificate signed by / equal to ``remote_certificate``."""
    import grpc

    return grpc.ssl_server_credentials(
        [(creds.private_key, creds.certificate)],
        root_certificates=creds.remote_certificate,
        require_client_auth=True,
    )


def channel_credentials(creds: Credentials) -> Any:
    """gRPC client credentials from the client's side of a credentials pair (for local tools and tests)."""
    import grpc

    return grpc.ssl_channel_credentials(
        root_certificates=creds.remote_certificate,
        private_key=creds.private_key,
        certificate_chain=creds.certificate,
    )


# --------------------------------------------------------------------------------------------- inspection


@dataclass(frozen=True)
class CertInfo:
    subject: str
    issuer: str
    not_before: _dt.datetime
    not_after: _dt.datetime
    names: tuple[str, ...]
    serial: int

    def expired(self, now: _dt.datetime | None = None) -> bool:
        now = now or _dt.datetime.now(_dt.timezone.utc)
        return not (self.not_before <= now <= self.not_after)


def _load_cert(pem: bytes, source: str = "<certificate>", where: str = "") -> Any:
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise InputError(f"unreadable certificate: {exc}", source=source, pointer=where) from None


def _load_key(pem: bytes, source: str = "<key>", where: str = "") -> Any:
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        # do not echo key material; the message of cryptography does not contain it
        raise InputError(f"unreadable private key: {exc}", source=source, pointer=where) from None


def cert_info(pem: bytes, *, source: str = "<certificate>", where: str = "") -> CertInfo:
    from cryptography import x509

    cert = _load_cert(pem, source, where)
    names: list[str] = []
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
        names += [str(n) for n in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    return CertInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        names=tuple(names),
        serial=cert.serial_number,
    )


def key_matches_certificate(cert_pem: bytes, key_pem: bytes, *, source: str = "<credentials>") -> bool:
    from cryptography.hazmat.primitives import serialization

    cert = _load_cert(cert_pem, source, "/local_keypair/certificate")
    key = _load_key(key_pem, source, "/local_keypair/private_key")
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return bool(cert.public_key().public_bytes(enc, fmt) == key.public_key().public_bytes(enc, fmt))


# --------------------------------------------------------------------------------------------- generation


@dataclass(frozen=True)
class GeneratedFiles:
    credentials: Path  # server side, HumanFirst format
    client_credentials: Path  # client side, same format (local_keypair = client, remote = server cert)
    client_cert: Path
    client_key: Path
    server_cert: Path


def _new_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def _self_signed(common_name: str, key: Any, *, hosts: Iterable[str], days: int, server: bool) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    name = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "hfx"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )
    sans: list[x509.GeneralName] = []
    for host in hosts:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(host.strip("[]"))))
        except ValueError:
            sans.append(x509.DNSName(host))
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    atomic_write(path, data)  # the temp file is created 0600, so secrets are never world-readable
    os.chmod(path, mode)


_DNS_NAME = re.compile(r"^(\*\.)?(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def generate_credentials(
    outdir: str | os.PathLike[str],
    *,
    hosts: Iterable[str] = (),
    days: int = 365,
    server_name: str = "hfx-server",
    client_name: str = "hfx-client",
    overwrite: bool = False,
) -> GeneratedFiles:
    """Write a server credentials JSON (HumanFirst format) and a matching client certificate/key.

    The server certificate carries SANs for localhost, 127.0.0.1, ::1 and ``hosts``. Both certificates are
    self-signed; the server trusts exactly the client certificate (``remote_certificate``).
    """
    if days < 1:
        raise HfxError("--days must be at least 1")
    out = Path(outdir)
    files = GeneratedFiles(
        credentials=out / CREDENTIALS_FILE,
        client_credentials=out / CLIENT_CREDENTIALS_FILE,
        client_cert=out / CLIENT_CERT_FILE,
        client_key=out / CLIENT_KEY_FILE,
        server_cert=out / SERVER_CERT_FILE,
    )
    existing = [str(p) for p in vars(files).values() if p.exists()]
    if existing and not overwrite:
        raise HfxError(f"{existing[0]}: already exists (use --force to replace)")
    all_hosts = list(dict.fromkeys([*DEFAULT_HOSTS, *(h for h in hosts if h)]))
    for host in all_hosts:
        if not _is_ip(host) and not _DNS_NAME.match(host):
            raise HfxError(f"--host {host!r}: expected a DNS name (e.g. integration.example.com) or an IP address")
    server_key, client_key = _new_key(), _new_key()
    server_cert = _self_signed(server_name, server_key, hosts=all_hosts, days=days, server=True)
    client_cert = _self_signed(client_name, client_key, hosts=(), days=days, server=False)
    server_key_pem, client_key_pem = _key_pem(server_key), _key_pem(client_key)
    out.mkdir(parents=True, exist_ok=True)
    _write(files.credentials, credentials_json(Credentials(server_cert, server_key_pem, client_cert)), 0o600)
    _write(files.client_credentials, credentials_json(Credentials(client_cert, client_key_pem, server_cert)), 0o600)
    _write(files.client_key, client_key_pem, 0o600)
    _write(files.client_cert, client_cert, 0o644)
    _write(files.server_cert, server_cert, 0o644)
    return files
