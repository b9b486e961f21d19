"""Training settings: every knob of the local model, JSON-serialisable and checked."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from hfx.nlu.errors import TrainingError


@dataclass(frozen=True)
class TrainSettings:
    #: Only used to build display names of intents (full paths joined with it); ids are HF intent ids.
    delimiter: str | None = None
    seed: int = 0
    #: Inverse regularisation strength of the softmax classifier (scikit-learn's ``C``).
    c: float = 10.0
    #: Weight of the dense sentence embedding next to the (unit-length) word and character n-gram blocks.
    dense_weight: float = 2.0
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    #: An n-gram must occur in at least this many training texts to become a feature.
    min_df: int = 2
    #: Most L-BFGS iterations of the classifier.
    max_iter: int = 100

    def __post_init__(self) -> None:
        problems = []
        if self.delimiter is not None and not isinstance(self.delimiter, str):
            problems.append("delimiter must be a string or null")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            problems.append("seed must be an integer")
        for name in ("c", "dense_weight"):
            value = getattr(self, name)
            if (
                not isinstance(value, (int, float))
                or isinstance(value, bool)
                or not 0 <= value < 1e9
                or (name == "c" and value <= 0)
            ):
                problems.append(f"{name} must be a positive number")
        for name in ("word_ngrams", "char_ngrams"):
            value = getattr(self, name)
            if not (
                isinstance(value, tuple)
                and len(value) == 2
                and all(isinstance(v, int) for v in value)
                and 1 <= value[0] <= value[1] <= 8
            ):
                problems.append(f"{name} must be two integers 1 <= low <= high <= 8")
        for name, top in (("min_df", 1000), ("max_iter", 100_000)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
                problems.append(f"{name} must be an integer from 1 to {top}")
        if problems:
            raise TrainingError("invalid training settings: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["word_ngrams"] = list(self.word_ngrams)
        out["char_ngrams"] = list(self.char_ngrams)
        return out

    @classmethod
    def from_dict(cls, data: Any) -> TrainSettings:
        """Settings from JSON (unknown keys and wrong types raise TrainingError; missing keys take defaults)."""
        if not isinstance(data, dict):
            raise TrainingError("training settings must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise TrainingError(f"unknown training settings: {', '.join(map(str, unknown))}")
        values = dict(data)
        for name in ("word_ngrams", "char_ngrams"):
            if name in values and isinstance(values[name], list):
                values[name] = tuple(values[name])
        if isinstance(values.get("c"), int) and not isinstance(values.get("c"), bool):
            values["c"] = float(values["c"])
        if isinstance(values.get("dense_weight"), int) and not isinstance(values.get("dense_weight"), bool):
            values["dense_weight"] = float(values["dense_weight"])
        return cls(**values)
