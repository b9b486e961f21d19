"""Where the CLU endpoint and key come from. The key is only ever read from the environment or a file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hfx.clu.errors import ConfigError

ENDPOINT_VARS = ("HFX_CLU_ENDPOINT", "CLU_ENDPOINT")
KEY_VARS = ("HFX_CLU_KEY", "CLU_KEY")
KEY_FILE_VARS = ("HFX_CLU_KEY_FILE",)


def read_key_file(path: str | os.PathLike[str]) -> str:
    """The key stored in ``path`` (surrounding whitespace stripped). Never echoes the content in errors."""
    try:
        key = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the CLU key file {os.fspath(path)}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"the CLU key file {os.fspath(path)} is not UTF-8 text") from None
    if not key:
        raise ConfigError(f"the CLU key file {os.fspath(path)} is empty")
    if any(ch.isspace() for ch in key):
        raise ConfigError(f"the CLU key file {os.fspath(path)} must hold the key alone on one line")
    return key


def resolve_endpoint(endpoint: str | None = None, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    value = endpoint or next((env[v] for v in ENDPOINT_VARS if env.get(v)), None)
    if not value:
        raise ConfigError("no CLU endpoint: pass --clu-endpoint or set HFX_CLU_ENDPOINT (or CLU_ENDPOINT)")
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"the CLU endpoint must start with https:// (or http:// for the emulator): {value!r}")
    return value


def resolve_key(
    key_file: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    option: str = "--clu-key-file",
) -> str:
    """Key precedence: ``--clu-key-file``, then ``HFX_CLU_KEY``, ``CLU_KEY``, then ``HFX_CLU_KEY_FILE``.

    ``option`` names the command's key-file option in the error message.
    """
    env = os.environ if env is None else env
    if key_file:
        return read_key_file(key_file)
    for var in KEY_VARS:
        if env.get(var, "").strip():
            return env[var].strip()
    for var in KEY_FILE_VARS:
        if env.get(var):
            return read_key_file(env[var])
    raise ConfigError(
        f"no CLU key: set HFX_CLU_KEY (or CLU_KEY), or pass {option} FILE (keys are never accepted as arguments)"
    )


@dataclass(frozen=True)
class CluSettings:
    """Endpoint + key. ``repr`` never shows the key."""

    endpoint: str
    key: str = field(repr=False)

    @classmethod
    def resolve(
        cls,
        endpoint: str | None = None,
        key_file: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> CluSettings:
        return cls(resolve_endpoint(endpoint, env), resolve_key(key_file, env))

    def __repr__(self) -> str:
        return f"CluSettings(endpoint={self.endpoint!r}, key='***')"
