"""The softmax classifier fits what scikit-learn's LogisticRegression fits (same objective, same answers)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from hfx.nlu import softmax
from hfx.nlu.errors import TrainingCancelled


def data(seed: int = 0) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, 120)
    centres = rng.normal(size=(4, 6))
    dense = (centres[y] + rng.normal(scale=1.5, size=(120, 6))).astype(np.float32)
    sparse = sp.random(120, 30, density=0.1, random_state=seed, format="csr", dtype=np.float32)
    return dense, sparse, y


def test_same_probabilities_as_scikit_learn() -> None:
    dense, sparse, y = data()
    ours = softmax.fit(dense, sparse, y, 4, c=1.0, max_iter=500, tol=1e-7)
    reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=5000).fit(sp.hstack([dense, sparse]).tocsr(), y)
    expected = reference.predict_proba(sp.hstack([dense, sparse]).tocsr())
    assert np.abs(ours.proba(dense, sparse) - expected).max() < 2e-3
    assert (ours.proba(dense, sparse).argmax(1) == expected.argmax(1)).mean() > 0.99


def test_cancellation_stops_the_fit() -> None:
    dense, sparse, y = data()
    calls = []
    with pytest.raises(TrainingCancelled):
        softmax.fit(dense, sparse, y, 4, c=1.0, should_stop=lambda: calls.append(1) or len(calls) > 2)
    assert len(calls) == 3
