"""What a workspace that went through CLU can hold, as the neutral :class:`~hfx.fidelity.Fidelity` merge reads.

CLU keeps intents (flat names), utterances with one intent, entity names, list and regex components and prebuilts,
and the test tag (as the utterance ``dataset``); it has no HF ids, tags, metadata, descriptions, negative or
unlabelled examples, repeated texts, annotation values or roles, and it adds the ``None`` intent by itself.
"""

from __future__ import annotations

from collections.abc import Hashable

from hfx.fidelity import FULL, Fidelity
from hfx.formats.clu_json import SYSTEM_TO_PREBUILT
from hfx.model import Workspace
from hfx.provenance import from_clu


def prebuilt_of(system_type: str) -> Hashable:
    """The CLU prebuilt an HF system type is written as (HF types CLU does not tell apart share one)."""
    return SYSTEM_TO_PREBUILT.get(system_type)


def clu_fidelity(test_tags: tuple[str, ...] | list[str] = ("Test",)) -> Fidelity:
    """What a workspace read back from a CLU project can hold."""
    return Fidelity(
        ids=False,
        tags=False,
        kept_tags=frozenset(test_tags),
        metadata=False,
        descriptions=False,
        extra=False,
        negatives=False,
        unlabelled=False,
        multi_intent=False,
        duplicates=False,
        annotation_details=False,
        workspace=False,
        service_intents=frozenset({"None"}),
        system_type_key=prebuilt_of,
    )


def side_fidelity(fmt: str, ws: Workspace, test_tags: tuple[str, ...] | list[str] = ("Test",)) -> Fidelity:
    """What a side can hold: a CLU file, or HF JSON marked as converted from CLU (:mod:`hfx.provenance`), holds
    only what CLU holds; anything else is lossless."""
    return clu_fidelity(test_tags) if fmt == "clu" or from_clu(ws) else FULL
