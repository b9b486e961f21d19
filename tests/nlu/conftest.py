"""Fixtures for the local-model tests: workspaces from tests/data and models trained once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfx.formats.detect import load_workspace
from hfx.model import (
    Annotation,
    Entity,
    EntityValue,
    Example,
    Intent,
    IntentRef,
    Synonym,
    Workspace,
)
from hfx.nlu.model import NluModel, TrainSettings

DATA = Path(__file__).resolve().parents[1] / "data"


def corpus(name: str) -> Workspace:
    return load_workspace(DATA / name)[1]


def small_workspace() -> Workspace:
    """Three intents (a parent with examples of its own, its child, a sibling), list and regex entities."""

    def ex(n: int, text: str, intent: str, annotations: list[Annotation] | None = None) -> Example:
        return Example(f"ex-{n}", text, [IntentRef(intent)], annotations or [])

    texts = {
        "intent-billing": [
            "question about my bill",
            "billing question",
            "I have a billing problem",
            "something about invoices",
            "my invoice is confusing",
            "help with billing",
        ],
        "intent-refund": [
            "I want a refund",
            "refund my money please",
            "give me my money back",
            "can I get a refund for my order",
            "I need to be refunded",
            "refund please",
        ],
        "intent-greet": ["hello", "hi there", "good morning", "hey", "hello friend", "hi"],
    }
    examples = [ex(n, t, i) for n, (i, t) in enumerate((i, t) for i, ts in texts.items() for t in ts)]
    examples.append(
        ex(
            100,
            "I want a refund for the crème brûlée",
            "intent-refund",
            [Annotation("dessert", 25, 36, "crème brûlée", "entity-dessert", "creme_brulee", "val-cb")],
        )
    )
    return Workspace(
        name="small",
        intents=[
            Intent("intent-billing", "billing"),
            Intent("intent-refund", "refund", parent_id="intent-billing"),
            Intent("intent-greet", "greet"),
        ],
        examples=examples,
        entities=[
            Entity(
                "entity-dessert",
                "dessert",
                "list",
                values=[
                    EntityValue("val-cb", "creme_brulee", [Synonym("crème brûlée")]),
                    EntityValue("val-cake", "cake", [Synonym("cake"), Synonym("gâteau"), Synonym("cheese cake")]),
                    EntityValue("val-ice", "ice_cream", [Synonym("ice cream"), Synonym("Glace")]),
                ],
            ),
            Entity(
                "entity-city",
                "city",
                "list",
                values=[
                    EntityValue("val-ny", "new_york", [Synonym("New York"), Synonym("NYC")]),
                    EntityValue("val-nyc", "new_york_city", [Synonym("New York City")]),
                    EntityValue("val-sp", "sao_paulo", [Synonym("São Paulo")]),
                ],
            ),
            Entity("entity-order", "order_number", "regex", values=[EntityValue("val-re", r"\bA\d{5}\b")]),
        ],
    )


@pytest.fixture(scope="session")
def small() -> Workspace:
    return small_workspace()


@pytest.fixture(scope="session")
def small_model(small: Workspace) -> NluModel:
    return NluModel.train(small, TrainSettings(delimiter="/"))


@pytest.fixture(scope="session")
def academy() -> Workspace:
    """An Academy workspace with a two-level hierarchy and list entities with annotated examples."""
    return corpus("hf/Academy-Ex06-Entities.json")


@pytest.fixture(scope="session")
def academy_model(academy: Workspace) -> NluModel:
    return NluModel.train(academy, TrainSettings(delimiter="/"))


@pytest.fixture(scope="session")
def flights() -> Workspace:
    """A CLU project whose entities are learned (annotations, no values): the CRF's job."""
    return corpus("clu/FlightBooking.json")


@pytest.fixture(scope="session")
def saved_small(small_model: NluModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models") / "small"
    small_model.save(folder)
    return folder
