"""Embeddings from the local dense model (:mod:`hfx.nlu.embedder`), for any backend.

One home for what ``Embed`` promises and checks: the :class:`EmbeddingSpec` a model advertises
(``EmbedConfig`` in ``GetModel``/``TrainModel``) and the limits applied to each call.

* ``dimensionality``: the embedder's width (256 for wordllama's bundled ``l2_supercat``).
* ``max_batch_size``: most examples in one ``Embed`` call (the server's ``--max-batch-size``); more is
  INVALID_ARGUMENT.
* ``max_token_count``: tokens of one example the model reads; the rest of a longer example is ignored.
* ``max_token_size``: the longest example accepted, in UTF-8 bytes (:data:`MAX_TEXT_BYTES`); a longer one is
  INVALID_ARGUMENT naming its index (it could not be embedded whole anyway).

Vectors are L2-normalised float32 rows; an empty example gives a zero row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hfx.backends.base import BackendError, EmbeddingSpec, InvalidInput
from hfx.errors import HfxError

#: Longest example ``Embed`` accepts, in UTF-8 bytes (advertised as ``EmbedConfig.max_token_size``).
MAX_TEXT_BYTES = 16 * 1024


def real_embedder() -> Any:
    """:mod:`hfx.nlu.embedder` (``DIMENSIONS``, ``MAX_TOKEN_COUNT``, ``embed``); the model itself loads lazily."""
    from hfx.nlu import embedder

    return embedder


def embedding_spec(max_batch_size: int, embedder: Any = None) -> EmbeddingSpec:
    """What a model served by the local dense model advertises in ``Model.embeddings``."""
    embedder = embedder or real_embedder()
    return EmbeddingSpec(
        dimensionality=embedder.DIMENSIONS,
        max_batch_size=max_batch_size,
        max_token_size=MAX_TEXT_BYTES,
        max_token_count=embedder.MAX_TOKEN_COUNT,
    )


def check_batch(texts: Sequence[str], max_batch_size: int, what: str = "Embed") -> None:
    """INVALID_ARGUMENT when a call carries more examples than the model declared."""
    if len(texts) > max_batch_size:
        raise InvalidInput(
            f"{what}: {len(texts)} examples in one call; this model takes at most {max_batch_size} (split the batch)"
        )


def embed_texts(texts: Sequence[str], max_batch_size: int, embedder: Any = None) -> list[list[float]]:
    """``[len(texts), dimensionality]`` vectors, after checking the declared limits."""
    check_batch(texts, max_batch_size)
    for i, text in enumerate(texts):
        size = len(text.encode("utf-8", errors="surrogatepass"))
        if size > MAX_TEXT_BYTES:
            raise InvalidInput(
                f"Embed: example {i} has {size} bytes; this model takes at most {MAX_TEXT_BYTES} "
                "(EmbedConfig.max_token_size)"
            )
    if not texts:
        return []
    try:
        return (embedder or real_embedder()).embed(list(texts)).tolist()
    except HfxError as exc:  # e.g. the bundled dense model cannot be read: a broken installation
        raise BackendError(f"cannot embed: {exc}") from None
