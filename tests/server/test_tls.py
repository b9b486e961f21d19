"""``hfx creds generate`` / ``hfx creds check`` and the tolerant credentials loader."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hfx.cli.main import app
from hfx.errors import InputError
from hfx.server import tls

runner = CliRunner()


def test_generate_writes_humanfirst_format_with_private_files_0600(tmp_path: Path) -> None:
    out = tmp_path / "creds"
    result = runner.invoke(
        app,
        ["creds", "generate", str(out), "--host", "integration.example.com", "--host", "203.0.113.7", "--days", "30"],
    )
    assert result.exit_code == 0, result.output
    obj = json.loads((out / "credentials.json").read_text())
    assert set(obj) == {"local_keypair", "remote_certificate"}
    assert set(obj["local_keypair"]) == {"certificate", "private_key"}
    assert obj["remote_certificate"] == (out / "client.crt").read_text()
    assert obj["local_keypair"]["certificate"] == (out / "server.crt").read_text()
    for name in ("credentials.json", "client-credentials.json", "client.key"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
    info = tls.cert_info(obj["local_keypair"]["certificate"].encode())
    assert set(info.names) == {"localhost", "127.0.0.1", "::1", "integration.example.com", "203.0.113.7"}
    assert 29 <= (info.not_after - info.not_before).days <= 31
    creds = tls.load_credentials(out / "credentials.json")
    assert tls.key_matches_certificate(creds.certificate, creds.private_key)
    client = tls.load_credentials(out / "client-credentials.json")
    assert client.certificate == creds.remote_certificate and client.remote_certificate == creds.certificate
    assert tls.key_matches_certificate(client.certificate, (out / "client.key").read_bytes())


@pytest.mark.parametrize("host", ["bad host!", "-lead.example.com", "a..b", "x" * 64 + ".com"])
def test_generate_refuses_a_host_that_is_no_dns_name_or_ip(tmp_path: Path, host: str) -> None:
    result = runner.invoke(app, ["creds", "generate", str(tmp_path), "--host", host])
    assert result.exit_code == 2 and "expected a DNS name" in result.output
    assert not (tmp_path / "credentials.json").exists()


def test_generate_accepts_dns_names_wildcards_and_ips(tmp_path: Path) -> None:
    hosts = ["integration.example.com", "*.example.com", "hfx-1", "10.0.0.7", "[fd00::1]", "fd00::2"]
    args = [a for h in hosts for a in ("--host", h)]
    assert runner.invoke(app, ["creds", "generate", str(tmp_path), *args]).exit_code == 0


def test_generate_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    assert runner.invoke(app, ["creds", "generate", str(tmp_path)]).exit_code == 0
    before = (tmp_path / "credentials.json").read_bytes()
    result = runner.invoke(app, ["creds", "generate", str(tmp_path)])
    assert result.exit_code == 2 and "already exists" in result.output
    assert (tmp_path / "credentials.json").read_bytes() == before
    assert runner.invoke(app, ["creds", "generate", str(tmp_path), "--force"]).exit_code == 0
    assert (tmp_path / "credentials.json").read_bytes() != before


def test_check_reports_subjects_expiry_and_key_match(tmp_path: Path) -> None:
    tls.generate_credentials(tmp_path)
    result = runner.invoke(app, ["creds", "check", str(tmp_path / "credentials.json")])
    assert result.exit_code == 0, result.output
    assert "CN=hfx-server" in result.output and "CN=hfx-client" in result.output
    assert "days left" in result.output and "matches local certificate: yes" in result.output
    assert "PRIVATE KEY" not in result.output


def test_check_fails_when_key_does_not_match(tmp_path: Path) -> None:
    tls.generate_credentials(tmp_path / "a")
    tls.generate_credentials(tmp_path / "b")
    obj = json.loads((tmp_path / "a" / "credentials.json").read_text())
    other = json.loads((tmp_path / "b" / "credentials.json").read_text())
    obj["local_keypair"]["private_key"] = other["local_keypair"]["private_key"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(obj))
    result = runner.invoke(app, ["creds", "check", str(bad)])
    assert result.exit_code == 1
    assert "does not match" in result.output


def test_loader_is_tolerant_of_extra_keys_camel_case_bom_and_crlf(tmp_path: Path) -> None:
    tls.generate_credentials(tmp_path)
    obj = json.loads((tmp_path / "credentials.json").read_text())
    tolerant = {
        "integrationId": "intg-123",
        "address": "1.2.3.4:443",
        "localKeypair": {
            "certificate": obj["local_keypair"]["certificate"].replace("\n", "\r\n"),
            "privateKey": obj["local_keypair"]["private_key"].rstrip("\n"),
        },
        "remoteCertificate": obj["remote_certificate"],
    }
    path = tmp_path / "hf.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(tolerant).encode())
    creds = tls.load_credentials(path)
    assert tls.key_matches_certificate(creds.certificate, creds.private_key)


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("[]", ""),
        ('{"remote_certificate": "x"}', ""),
        (
            '{"local_keypair": {"certificate": "nope", "private_key": "k"}, "remote_certificate": "x"}',
            "/local_keypair/certificate",
        ),
        ("{not json", ""),
        ("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", ""),
    ],
)
def test_loader_names_file_and_pointer(tmp_path: Path, content: str, where: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        tls.load_credentials(path)
    assert info.value.source == str(path)
    assert info.value.pointer == where


def test_a_pem_file_is_named_as_such(tmp_path: Path) -> None:
    pem = tmp_path / "client.crt"
    pem.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    with pytest.raises(InputError, match="PEM file; pass the credentials JSON"):
        tls.load_credentials(pem)
