"""Builders shared by the CLU backend tests (the conftest puts this folder on sys.path)."""

from __future__ import annotations

import gzip
import time
from typing import Any

from hfx.clu.client import CluClient
from hfx.formats.hf_json import dumps_hf
from hfx.model import Annotation, Entity, EntityValue, Example, Intent, IntentRef, Synonym, Tag, Workspace
from hfx.proto.playbook.data.config.v1alpha1 import config_pb2

KEY = "clu-backend-test-key-7d41e2b9"
HF_JSON = config_pb2.IntentsDataFormat.Value("INTENTS_FORMAT_HF_JSON")

LONG_LEAF = "a leaf name far longer than the fifty characters CLU allows: really"


def tagged_workspace() -> Workspace:
    """HF ids that are not hfx's, tags, metadata, a hierarchy, a long name, an entity and a non-ASCII span."""
    ws = Workspace(name="Bank bot", language="en-us", metadata={"owner": "support"})
    ws.tags = [Tag("tag-vip", "vip", "#ff0000"), Tag("tag-test", "Test", "#00ff00")]
    ws.intents = [
        Intent("intent-billing-0001", "billing", metadata={"team": "finance"}, tags=["tag-vip"]),
        Intent("intent-refund-0002", "refund", parent_id="intent-billing-0001", description="money back"),
        Intent("intent-greet-0003", "greeting"),
        Intent("intent-long-0004", LONG_LEAF, parent_id="intent-billing-0001"),
    ]
    ws.entities = [
        Entity(
            "entity-city-01",
            "city",
            values=[
                EntityValue("value-paris-01", "Paris", [Synonym("Paris"), Synonym("París")]),
                EntityValue("value-zurich-01", "Zürich", [Synonym("Zürich"), Synonym("Zurich")]),
            ],
        )
    ]
    texts = [
        ("ex-r1", "I want my money back", "intent-refund-0002", ["tag-vip"]),
        ("ex-r2", "please refund the last payment", "intent-refund-0002", []),
        ("ex-r3", "refund my flight to Zürich", "intent-refund-0002", ["tag-test"]),
        ("ex-g1", "hello there", "intent-greet-0003", []),
        ("ex-g2", "good morning bot", "intent-greet-0003", ["tag-vip"]),
        ("ex-g3", "hi from París", "intent-greet-0003", []),
        ("ex-l1", "why was I charged twice", "intent-long-0004", []),
        ("ex-l2", "double charge on my card", "intent-long-0004", []),
    ]
    for eid, text, intent, tags in texts:
        ex = Example(eid, text, [IntentRef(intent)], tags=list(tags), metadata={"src": eid})
        for value in ws.entities[0].values:
            for syn in value.synonyms:
                start = text.find(syn.value)
                if start >= 0:
                    ex.annotations.append(
                        Annotation(
                            "city",
                            start,
                            start + len(syn.value),
                            syn.value,
                            entity_id="entity-city-01",
                            value=value.key,
                            value_id=value.id,
                        )
                    )
        ws.examples.append(ex)
    return ws


def hf_bytes(ws: Workspace, *, compress: bool = True) -> bytes:
    data = dumps_hf(ws)
    return gzip.compress(data, mtime=0) if compress else data


def options(delimiter: str = "", gzip_encoding: bool = True) -> Any:
    return config_pb2.IntentsDataOptions(gzip_encoding=gzip_encoding, hierarchical_delimiter=delimiter)


def wait_until(check: Any, timeout: float = 10.0, interval: float = 0.02) -> Any:
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > end:
            return value
        time.sleep(interval)


def project_names(client: Any) -> list[str]:
    return sorted(p["projectName"] for p in client.list_projects())


def make_client(emu: Any, **kwargs: Any) -> CluClient:
    opts: dict[str, Any] = {
        "poll_interval": 0.01,
        "timeout": 10,
        "backoff": 0.02,
        "max_backoff": 0.2,
        "max_attempts": 8,
        "seed": 1,
    }
    opts.update(kwargs)
    return CluClient(emu.url, KEY, **opts)
