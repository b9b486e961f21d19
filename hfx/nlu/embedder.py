"""The dense model: wordllama's bundled 256-d ``l2_supercat`` static token embeddings, mean-pooled.

The weights and the tokenizer ship inside the ``wordllama`` pip package; they are loaded from the installed
package folder with downloads disabled, lazily (first use), once per process, under a lock.

A text is tokenised with wordllama's tokenizer (no special tokens); only its first :data:`MAX_TOKEN_COUNT`
tokens are looked at (longer texts are truncated), their embeddings are averaged, and the mean is
L2-normalised. An empty text (no tokens) gives a zero row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hfx.nlu.errors import NluError

DIMENSIONS: int = 256
#: Tokens per text the embedder looks at; longer texts are truncated to their first MAX_TOKEN_COUNT tokens.
MAX_TOKEN_COUNT: int = 256
#: Texts tokenised and pooled at once (bounds the temporary ``[batch, tokens, 256]`` array).
_CHUNK = 256
#: Batches from this size are tokenised in parallel (measured: below it, one text at a time is faster).
_PARALLEL_FROM = 256

_lock = threading.Lock()
_state: dict[str, Any] = {}


def _load() -> tuple[Any, np.ndarray]:
    """(tokenizer, embedding matrix) of the bundled model, loaded once."""
    with _lock:
        if "table" not in _state:
            root = logging.getLogger()
            handlers, level = list(root.handlers), root.level
            try:
                import wordllama  # its inference module calls logging.basicConfig() at import time
                from wordllama import WordLlama
            finally:  # undo that: hfx configures logging only where the CLI or server says so
                for handler in root.handlers[:]:
                    if handler not in handlers:
                        root.removeHandler(handler)
                root.setLevel(level)
            folder = Path(wordllama.__file__).resolve().parent
            try:
                wl = WordLlama.load(cache_dir=folder, disable_download=True, dim=DIMENSIONS)
            except (OSError, ValueError) as exc:  # a broken installation, never a download
                raise NluError(f"the bundled wordllama model cannot be loaded: {exc}") from None
            table = np.ascontiguousarray(wl.embedding, dtype=np.float32)
            if table.ndim != 2 or table.shape[1] != DIMENSIONS:
                raise NluError(f"the bundled wordllama model has shape {table.shape}, expected [*, {DIMENSIONS}]")
            _state["tokenizer"] = wl.tokenizer
            _state["table"] = table
        return _state["tokenizer"], _state["table"]


def token_ids(texts: Sequence[str]) -> list[list[int]]:
    """wordllama token ids of each text, truncated to :data:`MAX_TOKEN_COUNT`."""
    tokenizer, table = _load()
    if not texts:
        return []
    if len(texts) < _PARALLEL_FROM:  # the tokenizer's thread pool costs more than it saves on small batches
        encodings = [tokenizer.encode(text, add_special_tokens=False) for text in texts]
    else:
        encodings = tokenizer.encode_batch(list(texts), add_special_tokens=False)
    out = []
    for enc in encodings:
        ids = [i for i, m in zip(enc.ids, enc.attention_mask, strict=True) if m][:MAX_TOKEN_COUNT]
        out.append(ids)
    return out


def embed(texts: Sequence[str]) -> np.ndarray:
    """float32 ``[len(texts), DIMENSIONS]``, each row the L2-normalised mean token embedding (empty -> zeros).

    Each row depends on its own text only (not on the batch it came in).
    """
    tokenizer, table = _load()
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    limit = table.shape[0] - 1
    for lo in range(0, len(texts), _CHUNK):
        ids = token_ids(texts[lo : lo + _CHUNK])
        lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        rows = np.flatnonzero(lengths)
        if not len(rows):
            continue
        flat = np.clip(np.fromiter((t for i in ids for t in i), dtype=np.int64, count=int(lengths.sum())), 0, limit)
        starts = np.concatenate(([0], np.cumsum(lengths[rows])[:-1]))
        sums = np.add.reduceat(table[flat], starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)  # the mean's direction: the length cancels out
        norms[norms == 0] = 1.0
        out[lo + rows] = sums / norms
    return out
