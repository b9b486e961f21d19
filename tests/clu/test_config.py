"""Where the CLU client's configuration comes from (options, environment, key files), and the key never shown."""

from __future__ import annotations

import pytest

from hfx.clu.client import CluClient
from hfx.clu.config import CluSettings, resolve_endpoint, resolve_key
from hfx.clu.errors import ConfigError


def test_endpoint_precedence():
    env = {"HFX_CLU_ENDPOINT": "https://a.example/", "CLU_ENDPOINT": "https://b.example"}
    assert resolve_endpoint(None, env) == "https://a.example"
    assert resolve_endpoint("https://c.example", env) == "https://c.example"
    assert resolve_endpoint(None, {"CLU_ENDPOINT": "https://b.example"}) == "https://b.example"
    with pytest.raises(ConfigError, match="--clu-endpoint"):
        resolve_endpoint(None, {})
    with pytest.raises(ConfigError, match="https://"):
        resolve_endpoint("ftp://x", {})


def test_key_precedence_and_key_files(tmp_path):
    key_file = tmp_path / "k"
    key_file.write_text("  from-file\n", encoding="utf-8")
    env = {"HFX_CLU_KEY": "hfx", "CLU_KEY": "clu", "HFX_CLU_KEY_FILE": str(key_file)}
    assert resolve_key(key_file, env) == "from-file"
    assert resolve_key(None, env) == "hfx"
    assert resolve_key(None, {"CLU_KEY": "clu", "HFX_CLU_KEY_FILE": str(key_file)}) == "clu"
    assert resolve_key(None, {"HFX_CLU_KEY_FILE": str(key_file)}) == "from-file"
    with pytest.raises(ConfigError, match="HFX_CLU_KEY"):
        resolve_key(None, {})
    two = tmp_path / "two"
    two.write_text("secret-one secret-two", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        resolve_key(two, {})
    assert "secret" not in str(info.value)  # errors name the file, never its content
    with pytest.raises(ConfigError, match="empty"):
        (tmp_path / "empty").write_text("\n", encoding="utf-8")
        resolve_key(tmp_path / "empty", {})
    with pytest.raises(ConfigError, match="cannot read"):
        resolve_key(tmp_path / "missing", {})


def test_reprs_hide_the_key():
    settings_ = CluSettings("https://a.example", "super-secret")
    client = CluClient.from_settings(settings_)
    for text in (repr(settings_), str(settings_), repr(client)):
        assert "super-secret" not in text and "***" in text
