"""What a side of a merge can hold: the neutral description a format gives of itself (:class:`Fidelity`).

A workspace that went through a format which cannot hold every field of the model (CLU) is *lossy*: a field the
format cannot hold is *unknown* on that side, neither deleted nor changed by it. :mod:`hfx.ops.merge` reads only
this description; each format says what it holds (CLU: :func:`hfx.formats.clu_fidelity.clu_fidelity`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fidelity:
    """What a side can hold. ``False`` = that field is unknown on this side (never a deletion)."""

    ids: bool = True
    #: Tags on intents, examples and entities (other than ``kept_tags``) and the tag catalogue.
    tags: bool = True
    #: Tag names the side holds even when ``tags`` is ``False`` (CLU: the test tag, as ``dataset``).
    kept_tags: frozenset[str] = frozenset()
    metadata: bool = True
    descriptions: bool = True
    extra: bool = True
    negatives: bool = True
    unlabelled: bool = True
    multi_intent: bool = True
    #: The same text (and language) more than once.
    duplicates: bool = True
    #: Annotation ``value``/``value_id``/``role``/``entity_id``.
    annotation_details: bool = True
    #: Workspace name, description, language, metadata.
    workspace: bool = True
    #: Root intents the service adds by itself (CLU: ``None``); ignored when they have no examples.
    service_intents: frozenset[str] = frozenset()
    #: How the side tells system entity types apart: two types with the same key are one type there, so the
    #: reference's type is kept (CLU: the prebuilt both are written as). ``None``: every type as it is.
    system_type_key: Callable[[str], Hashable] | None = None

    @property
    def lossless(self) -> bool:
        return self == FULL


FULL = Fidelity()
