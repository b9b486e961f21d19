"""Sentence features for the intent classifier: the dense embedding next to TF-IDF word and character n-grams.

Everything a fitted feature space needs is plain data (term lists, idf and mean vectors), so it is stored as
JSON and ``.npz`` and rebuilt without pickle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from hfx.nlu import embedder
from hfx.nlu.text import fold

_TOKEN_PATTERN = r"(?u)\b\w+\b"


def _counter(
    analyzer: str, ngrams: tuple[int, int], vocabulary: dict[str, int] | None = None, min_df: int = 1
) -> CountVectorizer:
    return CountVectorizer(
        analyzer=analyzer,
        ngram_range=ngrams,
        lowercase=False,
        preprocessor=fold,
        token_pattern=_TOKEN_PATTERN if analyzer == "word" else None,
        vocabulary=vocabulary,
        min_df=min_df,
        dtype=np.float32,
    )


@dataclass
class NgramBlock:
    """TF-IDF (sublinear tf, smoothed idf, L2 rows) over a fixed vocabulary of word or char_wb n-grams."""

    analyzer: str
    ngrams: tuple[int, int]
    terms: list[str]
    idf: np.ndarray

    @classmethod
    def fit(
        cls, texts: Sequence[str], analyzer: str, ngrams: tuple[int, int], min_df: int
    ) -> tuple[NgramBlock, sp.csr_matrix]:
        """The block fitted on ``texts`` and their TF-IDF rows (counted once)."""
        counter = _counter(analyzer, ngrams, min_df=min_df if len(texts) >= 2 * min_df else 1)
        try:
            counts = counter.fit_transform(texts)
        except ValueError:  # nothing to count (e.g. only punctuation): an empty block
            block = cls(analyzer, ngrams, [], np.zeros(0, dtype=np.float32))
            return block, block.transform(texts)
        vocabulary = counter.vocabulary_
        terms = sorted(vocabulary, key=vocabulary.__getitem__)
        df = np.bincount(counts.indices, minlength=len(terms)).astype(np.float64)
        idf = (np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0).astype(np.float32)
        block = cls(analyzer, ngrams, terms, idf)
        return block, block._weigh(counts)

    def __post_init__(self) -> None:
        self._counter = (
            _counter(self.analyzer, self.ngrams, {t: i for i, t in enumerate(self.terms)}) if self.terms else None
        )
        if self._counter is not None:
            self._counter.transform([""])  # validates the vocabulary now, not racily on a server thread

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self._counter is None:
            return sp.csr_matrix((len(texts), 0), dtype=np.float32)
        return self._weigh(self._counter.transform(texts))

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Counts -> sublinear tf x idf, rows L2-normalised."""
        counts = counts.astype(np.float32)
        counts.data = 1.0 + np.log(counts.data)
        counts = counts.multiply(self.idf[np.newaxis, :]).tocsr()
        return normalize(counts, copy=False).astype(np.float32)

    def to_json(self) -> dict[str, Any]:
        return {"analyzer": self.analyzer, "ngrams": list(self.ngrams), "terms": self.terms}


@dataclass
class FeatureSpace:
    dense_weight: float
    dense_mean: np.ndarray  # centre of the training embeddings (removed before re-normalising)
    word: NgramBlock
    char: NgramBlock

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        dense: np.ndarray,
        *,
        dense_weight: float,
        word_ngrams: tuple[int, int],
        char_ngrams: tuple[int, int],
        min_df: int,
    ) -> tuple[FeatureSpace, np.ndarray, sp.csr_matrix]:
        """The feature space fitted on the training texts (``dense`` = their embeddings) and their two blocks."""
        mean = dense.mean(axis=0).astype(np.float32) if len(dense) else np.zeros(embedder.DIMENSIONS, np.float32)
        word, word_x = NgramBlock.fit(texts, "word", word_ngrams, min_df)
        char, char_x = NgramBlock.fit(texts, "char_wb", char_ngrams, min_df)
        space = cls(dense_weight, mean, word, char)
        return space, space.dense_part(dense), sp.hstack([word_x, char_x], format="csr", dtype=np.float32)

    @property
    def size(self) -> int:
        return embedder.DIMENSIONS + len(self.word.terms) + len(self.char.terms)

    def dense_part(self, dense: np.ndarray) -> np.ndarray:
        centred = dense - self.dense_mean[np.newaxis, :]
        norms = np.linalg.norm(centred, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return (centred / norms * self.dense_weight).astype(np.float32)

    def blocks(self, texts: Sequence[str], dense: np.ndarray | None = None) -> tuple[np.ndarray, sp.csr_matrix]:
        """``(dense block, sparse n-gram blocks)`` of the texts; ``dense`` = their embeddings if already computed."""
        if dense is None:
            dense = embedder.embed(texts)
        sparse = sp.hstack([self.word.transform(texts), self.char.transform(texts)], format="csr", dtype=np.float32)
        return self.dense_part(dense), sparse
