"""Deterministic ids: HumanFirst's prefixes, derived from content only."""

from __future__ import annotations

import base64
import hashlib

from hypothesis import given
from hypothesis import strategies as st

from hfx.ids import entity_id, example_id, intent_id, stable_id, tag_id, value_id


@given(st.lists(st.text(), max_size=4))
def test_stable_id_is_the_first_24_base32_characters_of_sha256(parts: list[str]) -> None:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest()
    assert stable_id("x", *parts) == "x-" + base64.b32encode(digest).decode()[:24]


def test_ids_have_hf_prefixes_and_depend_on_content_only() -> None:
    assert intent_id(("a", "b")).startswith("intent-") and len(intent_id(("a", "b"))) == 31
    assert intent_id(("a", "b")) == intent_id(["a", "b"]) != intent_id(("a---b",))
    assert example_id("en-us", "hi", ("a",)) != example_id(None, "hi", ("a",))
    assert example_id(None, "hi", ("a",)).startswith("phrase-")
    assert entity_id("city").startswith("entity-")
    assert value_id("city", "Paris") != value_id("city", "Paris", "fr-fr")
    assert tag_id("Test").startswith("tag-")
    assert example_id(None, "bad \ud800", ("a",)).startswith("phrase-")  # lone surrogate: no crash
