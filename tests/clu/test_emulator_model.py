"""Offsets of the emulator's predictions (property-based) and where the client's configuration comes from."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hfx.clu.client import CluClient
from hfx.clu.config import CluSettings, resolve_endpoint, resolve_key
from hfx.clu.emulator_model import ToyModel, convert_span, grapheme_starts
from hfx.clu.errors import ConfigError
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


def test_endpoint_precedence():
    env = {"HFX_CLU_ENDPOINT": "https://a.example/", "CLU_ENDPOINT": "https://b.example"}
    assert resolve_endpoint(None, env) == "https://a.example"
    assert resolve_endpoint("https://c.example", env) == "https://c.example"
    assert resolve_endpoint(None, {"CLU_ENDPOINT": "https://b.example"}) == "https://b.example"
    with pytest.raises(ConfigError, match="--clu-endpoint"):
        resolve_endpoint(None, {})
    with pytest.raises(ConfigError, match="https://"):
        resolve_endpoint("ftp://x", {})


def test_key_precedence_and_key_files(tmp_path):
    key_file = tmp_path / "k"
    key_file.write_text("  from-file\n", encoding="utf-8")
    env = {"HFX_CLU_KEY": "hfx", "CLU_KEY": "clu", "HFX_CLU_KEY_FILE": str(key_file)}
    assert resolve_key(key_file, env) == "from-file"
    assert resolve_key(None, env) == "hfx"
    assert resolve_key(None, {"CLU_KEY": "clu", "HFX_CLU_KEY_FILE": str(key_file)}) == "clu"
    assert resolve_key(None, {"HFX_CLU_KEY_FILE": str(key_file)}) == "from-file"
    with pytest.raises(ConfigError, match="HFX_CLU_KEY"):
        resolve_key(None, {})
    two = tmp_path / "two"
    two.write_text("secret-one secret-two", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        resolve_key(two, {})
    assert "secret" not in str(info.value)  # errors name the file, never its content
    with pytest.raises(ConfigError, match="empty"):
        (tmp_path / "empty").write_text("\n", encoding="utf-8")
        resolve_key(tmp_path / "empty", {})
    with pytest.raises(ConfigError, match="cannot read"):
        resolve_key(tmp_path / "missing", {})


def test_reprs_hide_the_key():
    settings_ = CluSettings("https://a.example", "super-secret")
    client = CluClient.from_settings(settings_)
    for text in (repr(settings_), str(settings_), repr(client)):
        assert "super-secret" not in text and "***" in text
