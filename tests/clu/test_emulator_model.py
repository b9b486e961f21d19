"""Offsets of the emulator's predictions (property-based)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from hfx.clu.emulator_model import ToyModel, convert_span, grapheme_starts
from hfx.offsets import span_from_utf16

ALPHABET = st.sampled_from(list("ab é") + ["😀", "👍🏽", "🇫🇷", "e\u0301", "中", "\u200d"])
WORDS = st.lists(ALPHABET, max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(before=WORDS, after=WORDS)
def test_list_entity_offsets_map_back_to_the_synonym(before, after):
    text = f"{before} Paris {after}"
    model = ToyModel.train(
        {
            "intents": [{"category": "Go"}],
            "entities": [
                {
                    "category": "City",
                    "list": {
                        "sublists": [{"listKey": "PAR", "synonyms": [{"language": "en-us", "values": ["Paris"]}]}]
                    },
                }
            ],
            "utterances": [{"text": "go", "intent": "Go"}],
        }
    )
    found = model.find_entities(text, "Utf16CodeUnit")
    assert found, text
    start, end = span_from_utf16(text, found[0]["offset"], found[0]["length"])
    assert text[start:end] == "Paris" == found[0]["text"]
    points = model.find_entities(text, "UnicodeCodePoint")[0]
    assert text[points["offset"] : points["offset"] + points["length"]] == "Paris"


@settings(max_examples=200, deadline=None)
@given(text=WORDS)
def test_grapheme_starts_partition_the_text(text):
    starts = grapheme_starts(text)
    assert starts[0] == 0 if text else starts == [0]
    assert starts[-1] == len(text)
    assert starts == sorted(set(starts))
    for b in starts[1:-1]:  # a cluster never starts with a combining mark, modifier, or ZWJ
        assert unicodedata.category(text[b]) not in ("Mn", "Me", "Mc") and text[b] != "\u200d"
        assert not "\U0001f3fb" <= text[b] <= "\U0001f3ff"
    offset, length = convert_span(text, 0, len(text), "TextElements_v8")
    assert (offset, length) == (0, len(starts) - 1)
