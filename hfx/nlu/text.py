"""Text normalisation shared by the n-gram features and the entity matchers: one home for the rule."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def fold_char(ch: str) -> str:
    """One character without accents and case (``É`` -> ``e``, ``ß`` -> ``ss``); may be empty or longer."""
    if ch.isascii():
        return ch.lower()
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """The text without accents and case: what n-grams and list entities are matched on."""
    if text.isascii():
        return text.lower()
    return "".join(fold_char(ch) for ch in text)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """``(folded, origin)``: ``origin[i]`` is the code-point index in ``text`` of folded character ``i``;
    ``origin[len(folded)] == len(text)``."""
    if text.isascii():
        return text.lower(), list(range(len(text) + 1))
    parts: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = fold_char(ch)
        parts.append(folded)
        origin.extend([index] * len(folded))
    origin.append(len(text))
    return "".join(parts), origin


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Words and punctuation of ``text`` with their code-point spans ``(token, start, end)``."""
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
