"""Decoding of workspace payloads sent by HumanFirst: gzip by magic bytes, with a decompressed-size cap.

Memory stays bounded: a gzip payload is inflated as a stream and refused as soon as it passes the cap
(``--max-decompressed-mb``), and at most :data:`MAX_CONCURRENT_DECODES` payloads are inflated and parsed at
once (further imports wait their turn). The payload memory of a server is therefore about
``MAX_CONCURRENT_DECODES x cap`` for the inflated text plus what the parsed workspaces take.
"""

from __future__ import annotations

import threading
import zlib

from hfx.backends.base import HF_JSON, DataOptions, InvalidInput, TooLarge
from hfx.errors import InputError
from hfx.formats.hf_json import loads_hf, read_hf
from hfx.formats.jsontext import parse_in_parts, parse_part
from hfx.model import Workspace

GZIP_MAGIC = b"\x1f\x8b"
DEFAULT_MAX_DECOMPRESSED = 1 << 30  # 1 GiB
_CHUNK = 1 << 20
#: Payloads inflated and parsed at the same time (each may reach the decompressed-size cap).
MAX_CONCURRENT_DECODES = 2
#: About how much of an import's text is parsed and read at a time (see :func:`check_hf_payload`).
PART_BYTES = 1 << 20
_decoding = threading.BoundedSemaphore(MAX_CONCURRENT_DECODES)


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB" if n >= 1 << 20 else f"{n} bytes"


def gunzip_capped(data: bytes, max_bytes: int) -> bytearray:
    """Decompress gzip (one or more members) streaming; raise ``TooLarge`` as soon as ``max_bytes`` is passed."""
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = rest
        while True:
            try:
                chunk = inflater.decompress(pending, min(_CHUNK, max_bytes - len(out) + 1))
            except zlib.error as exc:
                raise InvalidInput(f"corrupt gzip payload ({exc})") from None
            out += chunk
            if len(out) > max_bytes:
                raise TooLarge(f"decompressed payload exceeds the limit of {_mib(max_bytes)}")
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
            if not pending and not chunk:
                raise InvalidInput("truncated gzip payload")
        rest = inflater.unused_data
        if rest and not rest.startswith(GZIP_MAGIC):
            if rest.strip(b"\x00"):
                raise InvalidInput("trailing bytes after the gzip payload")
            break
    return out  # not copied into bytes: a payload near the cap would need twice the memory


def decode_payload(
    data: bytes, options: DataOptions, *, max_bytes: int = DEFAULT_MAX_DECOMPRESSED
) -> bytes | bytearray:
    """The JSON bytes of a payload: gunzipped when it starts with the gzip magic (whatever the flag says)."""
    if options.zip:
        raise InvalidInput("zip-encoded payloads are not supported; ask for gzip or plain HF JSON")
    if options.format not in (HF_JSON, "INVALID"):
        raise InvalidInput(f"unsupported data format {options.format}; only HF_JSON is accepted")
    if data.startswith(GZIP_MAGIC):
        return gunzip_capped(data, max_bytes)
    if len(data) > max_bytes:
        raise TooLarge(f"payload exceeds the limit of {_mib(max_bytes)}")
    return data


def read_hf_payload(
    data: bytes, options: DataOptions, *, max_bytes: int = DEFAULT_MAX_DECOMPRESSED
) -> tuple[bytes | bytearray, Workspace]:
    """The JSON bytes of an HF JSON payload and the workspace they hold; a bad payload is ``InvalidInput`` with
    the JSON pointer of the problem."""
    with _decoding:
        payload = decode_payload(data, options, max_bytes=max_bytes)
        try:
            return payload, loads_hf(payload, source="payload")
        except InputError as exc:
            raise InvalidInput(exc.message, pointer=exc.pointer or "") from None


def check_hf_payload(
    data: bytes, options: DataOptions, *, max_bytes: int = DEFAULT_MAX_DECOMPRESSED
) -> tuple[bytes | bytearray, Workspace]:
    """The JSON bytes of an HF JSON payload, checked as :func:`read_hf_payload` checks them, and the workspace
    they hold without its examples: for a store that keeps the bytes and needs only the workspace's name.

    The examples are parsed and read a part at a time (:func:`hfx.formats.jsontext.parse_in_parts`), so a big
    import never holds the parsed document or the model of all its examples: about the payload's own size
    plus one part. A payload that cannot be split, or that the reader refuses, is read whole, which gives the
    same errors with the same JSON pointers as :func:`read_hf_payload`."""
    with _decoding:
        payload = decode_payload(data, options, max_bytes=max_bytes)
        ws = _read_in_parts(payload)
        if ws is not None:
            return payload, ws
        try:
            ws = loads_hf(payload, source="payload")
        except InputError as exc:
            raise InvalidInput(exc.message, pointer=exc.pointer or "") from None
        ws.examples.clear()
        return payload, ws


def _read_in_parts(payload: bytes | bytearray) -> Workspace | None:
    """The workspace without its examples, every example read a part at a time; ``None`` when the payload
    cannot be split, or a part is invalid JSON or refused by the reader (which also checks that example ids
    are unique across the parts)."""
    split = parse_in_parts(payload, "examples", PART_BYTES)
    if split is None:
        return None
    head, cuts = split
    try:
        ws = read_hf(head, source="payload")
        seen: set[str] = set()
        for cut in cuts:
            head["examples"] = parse_part(payload, cut)
            ids = [ex.id for ex in read_hf(head, source="payload").examples]
            before = len(seen)
            seen.update(ids)
            if len(seen) != before + len(ids):  # an id of an earlier part: the whole read names both
                return None
    except (InputError, ValueError):  # ValueError: a part that is not valid JSON (orjson.JSONDecodeError)
        return None
    return ws
