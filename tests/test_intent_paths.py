"""Intent paths: splitting a name on the delimiter and joining it back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hfx.intent_paths import join_path, split_name


@given(st.lists(st.text(alphabet="ab-", min_size=1), min_size=1, max_size=4))
def test_split_and_join_are_inverse_on_names(segments: list[str]) -> None:
    name = join_path(segments, "---")
    assert join_path(split_name(name, "---"), "---") == name
    assert split_name(name, "") == (name,)
    if not any("-" in s for s in segments):
        assert split_name(name, "---") == tuple(segments)
