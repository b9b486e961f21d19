"""``Classify`` on the CLU backend: bounded concurrent predictions, CLU answers turned into HumanFirst ids and
UTF-8 byte spans."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hfx.backends.base import EntityScore, IntentScore, Predictions
from hfx.backends.clu_registry import ModelEntry
from hfx.backends.clu_settings import MAX_QUERY
from hfx.backends.clu_status import clu_errors_mapped
from hfx.clu.client import CluClient
from hfx.errors import HfxError
from hfx.offsets import span_from_utf16, span_to_utf8

log = logging.getLogger("hfx.backends.clu")


class CluClassifier:
    """Predictions of a deployed CLU model, at most as many calls at once as ``pool`` has workers."""

    def __init__(self, client: CluClient, pool: ThreadPoolExecutor) -> None:
        self.client = client
        self._pool = pool

    def classify(self, entry: ModelEntry, texts: list[str]) -> list[Predictions]:
        """One :class:`Predictions` per text, in order; the first failure is raised once every call has ended."""
        futures = [self._pool.submit(self._predict, entry, text) for text in texts]
        out: list[Predictions] = []
        failure: BaseException | None = None
        for fut in futures:
            try:
                out.append(fut.result())
            except BaseException as exc:  # collect every result first so no call is left running unseen
                failure = failure or exc
        if failure is not None:
            raise failure
        return out

    def _predict(self, entry: ModelEntry, text: str) -> Predictions:
        if not text.strip():
            return Predictions()
        if len(text) > MAX_QUERY:
            log.warning(
                "model %s: an example of %d characters was not classified (CLU analyzes at most %d)",
                entry.model_id,
                len(text),
                MAX_QUERY,
            )
            return Predictions()
        with clu_errors_mapped(f"model {entry.model_id}: classify"):
            result = self.client.analyze(
                text,
                entry.project,
                entry.deployment,
                string_index_type="Utf16CodeUnit",
                language=entry.language or None,
            )
        return prediction_from_clu(entry, text, result)


def prediction_from_clu(entry: ModelEntry, text: str, result: dict[str, Any]) -> Predictions:
    """CLU's analyze-conversations ``result`` (UTF-16 offsets) as a :class:`Predictions` in HumanFirst ids, best
    intent first, entity spans in UTF-8 bytes. CLU names the model did not learn from HumanFirst are left out."""
    prediction = result.get("prediction") or {}
    intents: list[IntentScore] = []
    for item in prediction.get("intents") or []:
        hf_id = entry.intents.get(item.get("category"))
        if hf_id is None:
            continue  # CLU's built-in "None" intent and anything the model did not learn from HF
        intents.append(IntentScore(id=hf_id, name=hf_id, score=float(item.get("confidenceScore") or 0.0)))
    intents.sort(key=lambda i: -i.score)
    entities: list[EntityScore] = []
    for item in prediction.get("entities") or []:
        category = item.get("category")
        table = entry.entities.get(category)
        try:
            start, end = span_from_utf16(text, int(item["offset"]), int(item["length"]))
            b_start, b_end = span_to_utf8(text, start, end)
        except (KeyError, TypeError, ValueError, HfxError):
            log.warning("model %s: skipped an entity with an unusable span", entry.model_id)
            continue
        value = value_id = ""
        for extra in item.get("extraInformation") or []:
            if extra.get("extraInformationKind") in ("ListKey", "RegexKey") and table is not None:
                key = str(extra.get("key", ""))
                if key in table.values:
                    value, value_id = table.keys.get(key, key), table.values[key]
                    break
        entities.append(
            EntityScore(
                key=table.name if table else str(category),
                text=text[start:end],
                start=b_start,
                end=b_end,
                score=float(item.get("confidenceScore") or 0.0),
                value=value,
                entity_id=table.id if table else "",
                entity_value_id=value_id,
            )
        )
    return Predictions(intents=intents, entities=entities)
