"""Evaluating the local model on a workspace: stratified k-fold cross-validation or a held-out tagged set.

Metrics: accuracy of the top intent, per-intent precision / recall / F1 (macro-F1 over intents with test
examples), the most confused pairs with example texts, the full confusion counts, and per-entity precision /
recall / F1 on exact spans. No terminal here: the CLI and the reports render :class:`Evaluation`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hfx.model import Example, Workspace
from hfx.nlu.errors import TrainingError
from hfx.nlu.model import NluModel, Prediction
from hfx.nlu.settings import TrainSettings
from hfx.nlu.training import intent_names
from hfx.offsets import span_to_utf8

#: Example texts kept per confused pair.
CONFUSION_EXAMPLES = 5

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Scores:
    id: str
    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Confusion:
    expected: str
    expected_name: str
    predicted: str
    predicted_name: str
    count: int
    examples: list[str]


@dataclass
class Evaluation:
    method: str  # "5-fold" or "test-tag NAME"
    example_count: int
    accuracy: float
    macro_f1: float
    intents: list[Scores]  # worst F1 first
    confusions: list[Confusion]  # most frequent first
    entities: list[Scores]
    #: ``(expected id, predicted id) -> count`` over every test example (the diagonal too).
    matrix: dict[tuple[str, str], int] = field(default_factory=dict)
    #: Intent id -> display name, for every intent in the results.
    names: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "examples": self.example_count,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "intents": [dataclasses.asdict(s) for s in self.intents],
            "confusions": [
                {
                    "expected": c.expected,
                    "predicted": c.predicted,
                    "count": c.count,
                    "examples": c.examples,
                    "expected_name": c.expected_name,
                    "predicted_name": c.predicted_name,
                }
                for c in self.confusions
            ],
            "entities": [dataclasses.asdict(s) for s in self.entities],
        }


def _labelled(workspace: Workspace) -> list[Example]:
    known = {i.id for i in workspace.intents}
    return [ex for ex in workspace.examples if ex.text.strip() and any(i in known for i in ex.positive_intents)]


def _first_intent(example: Example, known: set[str]) -> str:
    return next(i for i in example.positive_intents if i in known)


def cross_validate(
    workspace: Workspace,
    settings: TrainSettings = TrainSettings(),
    *,
    folds: int = 5,
    seed: int = 0,
    progress: Progress | None = None,
) -> Evaluation:
    """Stratified k-fold: every labelled example is tested once by a model trained on the other folds."""
    from sklearn.model_selection import StratifiedKFold

    if not 2 <= folds <= 100:
        raise TrainingError(f"--folds must be from 2 to 100 (got {folds})")
    examples = _labelled(workspace)
    known = {i.id for i in workspace.intents}
    if len(examples) < folds:
        raise TrainingError(
            f"{folds}-fold evaluation needs at least {folds} labelled examples (the workspace has {len(examples)})"
        )
    labels = [_first_intent(ex, known) for ex in examples]
    largest = max(Counter(labels).values())
    if largest < folds:  # scikit-learn refuses to stratify then (a ValueError)
        fewer = f"use --folds {largest} or fewer, or" if largest >= 2 else "add examples, or use"
        raise TrainingError(
            f"{folds}-fold evaluation needs an intent with at least {folds} examples; the largest "
            f"has {largest}: {fewer} --test-tag TAG with a tagged test set"
        )
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    results: list[tuple[Example, Prediction]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "the least populated class has only N members"
        splits = list(splitter.split(labels, labels))
    for fold, (train_idx, test_idx) in enumerate(splits):
        train = dataclasses.replace(workspace, examples=[examples[i] for i in train_idx])
        test = [examples[i] for i in test_idx]
        results += _run(train, test, settings, progress, f"fold {fold + 1}/{folds}", fold / folds, 1 / folds)
    return _score(workspace, settings, results, f"{folds}-fold")


def held_out(
    workspace: Workspace, test_tag: str, settings: TrainSettings = TrainSettings(), *, progress: Progress | None = None
) -> Evaluation:
    """Train on the examples without the tag (name or id), test on those with it."""
    tag_ids = {t.id for t in workspace.tags if test_tag in (t.name, t.id)} | {test_tag}
    examples = _labelled(workspace)
    test = [ex for ex in examples if tag_ids & set(ex.tags)]
    if not test:
        raise TrainingError(f"no labelled example has the tag {test_tag!r}")
    train_examples = [ex for ex in workspace.examples if not tag_ids & set(ex.tags)]
    train = dataclasses.replace(workspace, examples=train_examples)
    results = _run(train, test, settings, progress, "training", 0.0, 1.0)
    return _score(workspace, settings, results, f"test-tag {test_tag}")


def _run(
    train: Workspace,
    test: list[Example],
    settings: TrainSettings,
    progress: Progress | None,
    label: str,
    base: float,
    share: float,
) -> list[tuple[Example, Prediction]]:
    def inner(phase: str, fraction: float) -> None:
        if progress is not None:
            progress(f"{label}: {phase}", base + share * 0.9 * fraction)

    model = NluModel.train(train, settings, progress=inner)
    if progress is not None:
        progress(f"{label}: predicting", base + share * 0.9)
    predictions = model.predict([ex.text for ex in test], top_k=1)
    return list(zip(test, predictions, strict=True))


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 4), round(recall, 4), round(f1, 4)


def _score(
    workspace: Workspace, settings: TrainSettings, results: list[tuple[Example, Prediction]], method: str
) -> Evaluation:
    names = intent_names(workspace, settings.delimiter)
    known = set(names)
    matrix: Counter[tuple[str, str]] = Counter()
    texts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for example, prediction in results:
        predicted = prediction.intents[0].id if prediction.intents else ""
        expected = predicted if predicted in example.positive_intents else _first_intent(example, known)
        matrix[(expected, predicted)] += 1
        if expected != predicted and len(texts[(expected, predicted)]) < CONFUSION_EXAMPLES:
            texts[(expected, predicted)].append(example.text)
    total = sum(matrix.values())
    correct = sum(n for (e, p), n in matrix.items() if e == p)
    intents = _intent_scores(matrix, names)
    confusions = [
        Confusion(e, names.get(e, e), p, names.get(p, p), n, texts[(e, p)])
        for (e, p), n in sorted(matrix.items(), key=lambda kv: (-kv[1], kv[0]))
        if e != p
    ]
    macro = round(sum(s.f1 for s in intents) / len(intents), 4) if intents else 0.0
    return Evaluation(
        method,
        total,
        round(correct / total, 4) if total else 0.0,
        macro,
        intents,
        confusions,
        _entity_scores(workspace, results),
        dict(matrix),
        names,
    )


def _intent_scores(matrix: Counter[tuple[str, str]], names: dict[str, str]) -> list[Scores]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for (e, p), n in matrix.items():
        if e == p:
            tp[e] += n
        else:
            fn[e] += n
            fp[p] += n
    out = []
    for intent_id in sorted({e for e, _ in matrix}):
        precision, recall, f1 = _prf(tp[intent_id], fp[intent_id], fn[intent_id])
        out.append(
            Scores(intent_id, names.get(intent_id, intent_id), precision, recall, f1, tp[intent_id] + fn[intent_id])
        )
    return sorted(out, key=lambda s: (s.f1, s.recall, s.name, s.id))


def _entity_scores(workspace: Workspace, results: list[tuple[Example, Prediction]]) -> list[Scores]:
    """Exact-span, same-entity matches; only entities the extractors can find (list values, regex, learned)."""
    entities = workspace.entities_by_id()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for example, prediction in results:
        gold = set()
        for ann in example.annotations:
            if ann.entity_id in entities and entities[ann.entity_id].kind != "system":
                try:
                    gold.add((ann.entity_id, *span_to_utf8(example.text, ann.start, ann.end)))
                except ValueError:
                    continue
        found = {(h.entity_id, h.start, h.end) for h in prediction.entities}
        for entity_id, *_ in gold & found:
            tp[entity_id] += 1
        for entity_id, *_ in found - gold:
            fp[entity_id] += 1
        for entity_id, *_ in gold - found:
            fn[entity_id] += 1
    out = []
    for entity_id in sorted(set(tp) | set(fp) | set(fn)):
        precision, recall, f1 = _prf(tp[entity_id], fp[entity_id], fn[entity_id])
        name = entities[entity_id].name if entity_id in entities else entity_id
        out.append(Scores(entity_id, name, precision, recall, f1, tp[entity_id] + fn[entity_id]))
    return sorted(out, key=lambda s: (s.f1, s.name, s.id))
