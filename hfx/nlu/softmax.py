"""Multinomial logistic regression (softmax) over a dense block and a sparse block, fitted with L-BFGS.

scikit-learn's ``LogisticRegression`` fits the same objective; this one keeps the 256 dense columns in a dense
array (BLAS) apart from the sparse n-grams, which makes an iteration several times cheaper at 150 intents, works in
float32, and polls ``should_stop`` at every evaluation so a training can be cancelled mid-fit.

Objective (scikit-learn's convention): ``sum_i w_i * CE_i + ||W||^2 / (2 C)``, divided by ``n``; the intercept is not
penalised. Starting from zeros and deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

from hfx.nlu.errors import TrainingCancelled


@dataclass
class SoftmaxWeights:
    dense: np.ndarray   # float32 [n_dense, k]
    sparse: np.ndarray  # float32 [n_sparse, k]
    bias: np.ndarray    # float32 [k]

    def logits(self, dense: np.ndarray, sparse: sp.csr_matrix) -> np.ndarray:
        # float64 and row by row for the sparse product: a text's scores do not depend on the batch it came in
        return (dense.astype(np.float64) @ self.dense.astype(np.float64) + sparse @ self.sparse
                + self.bias[np.newaxis, :])

    def proba(self, dense: np.ndarray, sparse: sp.csr_matrix) -> np.ndarray:
        """Class probabilities rounded to 6 decimals (rows sum to 1 up to that rounding)."""
        return np.round(softmax(self.logits(dense, sparse)), 6)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def fit(dense: np.ndarray, sparse: sp.csr_matrix, y: np.ndarray, n_classes: int, *, c: float,
        sample_weight: np.ndarray | None = None, max_iter: int = 200, tol: float = 1e-4,
        should_stop: Callable[[], bool] | None = None,
        on_iteration: Callable[[int], None] | None = None) -> SoftmaxWeights:
    n, n_dense = dense.shape
    n_sparse = sparse.shape[1]
    k = n_classes
    dense = np.ascontiguousarray(dense, dtype=np.float32)
    sparse = sp.csr_matrix(sparse, dtype=np.float32)
    sparse_t = sparse.T.tocsr()
    weight = (np.ones(n, np.float32) if sample_weight is None else sample_weight.astype(np.float32)) / n
    onehot = np.zeros((n, k), dtype=np.float32)
    onehot[np.arange(n), y] = 1.0
    alpha = 1.0 / (c * n)
    split = (n_dense * k, (n_dense + n_sparse) * k)

    def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        flat = theta.astype(np.float32)
        return (flat[:split[0]].reshape(n_dense, k), flat[split[0]:split[1]].reshape(n_sparse, k),
                flat[split[1]:])

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        if should_stop is not None and should_stop():
            raise TrainingCancelled("training was cancelled")
        wd, ws, b = unpack(theta)
        z = dense @ wd + sparse @ ws + b[np.newaxis, :]
        z -= z.max(axis=1, keepdims=True)
        logsum = np.log(np.exp(z).sum(axis=1))
        loss = float(np.dot(weight, logsum - (z * onehot).sum(axis=1)))
        p = np.exp(z - logsum[:, np.newaxis])
        r = (p - onehot) * weight[:, np.newaxis]
        gd = dense.T @ r + alpha * wd
        gs = sparse_t @ r + alpha * ws
        loss += 0.5 * alpha * (float(np.vdot(wd, wd)) + float(np.vdot(ws, ws)))
        grad = np.concatenate([gd.ravel(), np.asarray(gs).ravel(), r.sum(axis=0)])
        return loss, grad.astype(np.float64)

    iterations = [0]

    def callback(_: np.ndarray) -> None:
        iterations[0] += 1
        if on_iteration is not None:
            on_iteration(iterations[0])

    theta0 = np.zeros(split[1] + k, dtype=np.float64)
    result = minimize(objective, theta0, jac=True, method="L-BFGS-B", callback=callback,
                      options={"maxiter": max_iter, "gtol": tol / n, "ftol": 1e-9})
    wd, ws, b = unpack(result.x)
    return SoftmaxWeights(np.ascontiguousarray(wd), np.ascontiguousarray(ws), np.ascontiguousarray(b))
