"""The typed format extensions: frozen, shared where equal, and plain JSON for reports."""

from __future__ import annotations

import dataclasses

import pytest

from hfx.extensions import CluEntity, CluItem, HfShape, as_json, hf_shape


def test_the_plain_shape_is_none_and_equal_shapes_are_one_object() -> None:
    assert hf_shape() is None
    assert hf_shape(untimed=True) is hf_shape(untimed=True)  # no allocation per example read
    assert hf_shape(untimed=True, no_parts=True) == HfShape(untimed=True, no_parts=True)


def test_extensions_are_frozen_so_objects_can_share_them() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        hf_shape(untimed=True).untimed = False  # type: ignore[union-attr,misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        CluEntity().undeclared = True  # type: ignore[misc]


def test_as_json_names_the_fields_that_are_set() -> None:
    entity = CluEntity(composition_setting="combineComponents", prebuilts=[{"category": "Person.Name"}])
    assert as_json(entity) == {"composition_setting": "combineComponents", "prebuilts": [{"category": "Person.Name"}]}
    assert as_json(CluItem({"k": 1})) == {"extra": {"k": 1}}
    assert as_json(None) is None
