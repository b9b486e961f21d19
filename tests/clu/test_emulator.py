"""The emulator as a raw HTTP client sees it: paths, status codes, headers, bodies, validation."""

from __future__ import annotations

import json
import time

import pytest
import requests

from hfx.clu.emulator import start_emulator
from hfx.clu.emulator_model import grapheme_starts

BASE = "/language/authoring/analyze-conversations/projects"
V = {"api-version": "2023-04-01"}


def _call(emu, key, method, path, *, body=None, params=None, headers=None):
    h = {"Ocp-Apim-Subscription-Key": key, **(headers or {})}
    return requests.request(method, emu.url + path, params={**V, **(params or {})}, json=body, headers=h, timeout=10)


def _poll(emu, key, location):
    for _ in range(200):
        job = requests.get(location, headers={"Ocp-Apim-Subscription-Key": key}, timeout=10).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.01)
    raise AssertionError("job never finished")


def _file(name, intents, utterances, entities=()):
    return {
        "projectFileVersion": "2023-04-01",
        "stringIndexType": "Utf16CodeUnit",
        "metadata": {"projectKind": "Conversation", "projectName": name, "language": "en-us"},
        "assets": {
            "projectKind": "Conversation",
            "intents": [{"category": i} for i in intents],
            "entities": list(entities),
            "utterances": utterances,
        },
    }


def test_lro_headers_and_job_shape(emulator, key):
    resp = _call(emulator, key, "POST", f"{BASE}/P/:import", body=_file("P", ["A"], [{"text": "hi", "intent": "A"}]))
    assert resp.status_code == 202
    assert resp.content == b""
    assert "Location" not in resp.headers
    assert resp.headers["apim-request-id"]
    location = resp.headers["operation-location"]
    assert location.startswith(emulator.url + f"{BASE}/P/import/jobs/")
    assert location.endswith("?api-version=2023-04-01")
    job = _poll(emulator, key, location)
    assert job["status"] == "succeeded"
    assert {"jobId", "createdDateTime", "lastUpdatedDateTime", "expirationDateTime"} <= set(job)

    resp = _call(emulator, key, "POST", f"{BASE}/P/:export", params={"stringIndexType": "Utf16CodeUnit"})
    job = _poll(emulator, key, resp.headers["operation-location"])
    assert job["resultUrl"].startswith(emulator.url + f"{BASE}/P/export/jobs/{job['jobId']}/result")
    exported = requests.get(job["resultUrl"], headers={"Ocp-Apim-Subscription-Key": key}, timeout=10).json()
    assert exported["metadata"]["projectName"] == "P"
    assert exported["assets"]["intents"] == [{"category": "None"}, {"category": "A"}]  # None always exists


def test_export_requires_string_index_type(emulator, key):
    _call(emulator, key, "PATCH", f"{BASE}/P", body={"projectKind": "Conversation", "language": "en-us"})
    resp = _call(emulator, key, "POST", f"{BASE}/P/:export")
    assert resp.status_code == 400
    assert resp.json()["error"]["target"] == "stringIndexType"


def test_auth_version_and_routing_errors(emulator, key):
    resp = requests.get(emulator.url + BASE, params=V, timeout=10)
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "401"
    assert resp.headers["apim-request-id"]
    resp = requests.get(emulator.url + BASE, headers={"Ocp-Apim-Subscription-Key": key}, timeout=10)
    assert resp.status_code == 400 and "api-version" in resp.json()["error"]["message"]
    assert _call(emulator, key, "GET", "/language/nothing").status_code == 404
    resp = _call(emulator, key, "GET", f"{BASE}/missing")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "ProjectNotFound"
    resp = _call(emulator, key, "PATCH", f"{BASE}/P", body={"projectKind": "Conversation"})
    assert resp.status_code == 400 and resp.json()["error"]["target"] == "language"
    resp = _call(emulator, key, "PATCH", f"{BASE}/bad name", body={"projectKind": "Conversation", "language": "en"})
    assert resp.status_code == 400


def test_create_answers_201_then_200(emulator, key):
    body = {"projectKind": "Conversation", "language": "en-us", "settings": {"normalizeCasing": True}}
    first = _call(
        emulator, key, "PATCH", f"{BASE}/P", body=body, headers={"Content-Type": "application/merge-patch+json"}
    )
    assert first.status_code == 201
    assert first.json()["settings"] == {"normalizeCasing": True, "confidenceThreshold": 0.0}
    second = _call(emulator, key, "PATCH", f"{BASE}/P", body={"description": "d"})
    assert second.status_code == 200 and second.json()["description"] == "d"


def test_rate_limit_answers_429_with_retry_after(key):
    with start_emulator(key=key, rps=3) as emu:
        codes = [_call(emu, key, "GET", BASE) for _ in range(5)]
    assert [r.status_code for r in codes] == [200, 200, 200, 429, 429]
    assert 1 <= int(codes[3].headers["Retry-After"]) <= 1
    assert 0 < int(codes[3].headers["retry-after-ms"]) <= 1000


def test_fault_rate_is_seeded_and_deterministic(key):
    def run():
        with start_emulator(key=key, fault_rate=0.3, seed=11) as emu:
            return [_call(emu, key, "GET", BASE).status_code for _ in range(40)]

    first = run()
    assert first == run()
    assert {429, 503} <= set(first) and first.count(200) > 20


def test_latency_is_injected(key):
    with start_emulator(key=key, latency_ms=120) as emu:
        started = time.monotonic()
        _call(emu, key, "GET", BASE)
        assert time.monotonic() - started >= 0.12


@pytest.mark.parametrize(
    "name", ["a:b", "a$b", "a&b", "a%b", "a*b", "a(b", "a)b", "a+b", "a~b", "a#b", "a/b", "a?b", "x" * 51]
)
def test_invalid_intent_names_fail_the_import(emulator, key, name):
    resp = _call(emulator, key, "POST", f"{BASE}/P/:import", body=_file("P", [name], [{"text": "hi", "intent": name}]))
    job = _poll(emulator, key, resp.headers["operation-location"])
    assert job["status"] == "failed"
    assert job["errors"][0]["target"] == "#/assets/intents/0/category"


def test_fifty_character_names_and_symbols_are_fine(emulator, key):
    name = "é.-_!@" + "x" * 44
    resp = _call(emulator, key, "POST", f"{BASE}/P/:import", body=_file("P", [name], [{"text": "hi", "intent": name}]))
    assert _poll(emulator, key, resp.headers["operation-location"])["status"] == "succeeded"


def test_limits_are_enforced(emulator, key):
    regexes = [
        {"category": f"E{i}", "regex": {"expressions": [{"regexKey": "k", "language": "en-us", "regexPattern": "a+"}]}}
        for i in range(21)
    ]
    resp = _call(
        emulator, key, "POST", f"{BASE}/P/:import", body=_file("P", ["A"], [{"text": "hi", "intent": "A"}], regexes)
    )
    job = _poll(emulator, key, resp.headers["operation-location"])
    assert job["status"] == "failed" and job["errors"][0]["code"] == "QuotaExceeded"

    intents = [f"I{i}" for i in range(501)]
    resp = _call(emulator, key, "POST", f"{BASE}/Q/:import", body=_file("Q", intents, []))
    job = _poll(emulator, key, resp.headers["operation-location"])
    assert job["status"] == "failed" and "501 intents" in job["errors"][0]["message"]

    resp = _call(
        emulator, key, "POST", f"{BASE}/R/:import", body=_file("R", ["A"], [{"text": "x" * 501, "intent": "A"}])
    )
    assert _poll(emulator, key, resp.headers["operation-location"])["status"] == "failed"


def test_offsets_are_checked_in_utf16_units(emulator, key):
    text = "😀 Paris"  # the emoji is 2 UTF-16 units: Paris starts at 3, not 2
    ok = [{"text": text, "intent": "A", "entities": [{"category": "City", "offset": 3, "length": 5}]}]
    bad = [{"text": text, "intent": "A", "entities": [{"category": "City", "offset": 3, "length": 6}]}]
    for name, utts, status in (("Ok", ok, "succeeded"), ("Bad", bad, "failed")):
        resp = _call(
            emulator, key, "POST", f"{BASE}/{name}/:import", body=_file(name, ["A"], utts, [{"category": "City"}])
        )
        assert _poll(emulator, key, resp.headers["operation-location"])["status"] == status


def test_structural_errors_are_400_with_details(emulator, key):
    body = _file("P", ["A"], [])
    del body["stringIndexType"]
    body["metadata"]["projectName"] = "p"  # case-sensitive
    resp = _call(emulator, key, "POST", f"{BASE}/P/:import", body=body)
    assert resp.status_code == 400
    targets = {d["target"] for d in resp.json()["error"]["details"]}
    assert targets == {"#/stringIndexType", "#/metadata/projectName"}
    resp = requests.post(
        emulator.url + f"{BASE}/P/:import",
        params=V,
        data=b"{not json",
        headers={"Ocp-Apim-Subscription-Key": key},
        timeout=10,
    )
    assert resp.status_code == 400 and resp.json()["error"]["message"] == "Failed to parse the input."


def test_real_corpus_files_import(emulator, key, clu_corpus):
    for path in clu_corpus:
        data = json.loads(path.read_text(encoding="utf-8"))
        name = data["metadata"]["projectName"]
        resp = _call(emulator, key, "POST", f"{BASE}/{name}/:import", body=data)
        assert resp.status_code == 202, resp.text
        assert _poll(emulator, key, resp.headers["operation-location"])["status"] == "succeeded"


def test_runtime_threshold_and_unknown_deployment(emulator, key):
    body = _file("P", ["A", "B"], [{"text": "alpha beta", "intent": "A"}, {"text": "gamma delta", "intent": "B"}])
    body["metadata"]["settings"] = {"confidenceThreshold": 0.9}
    _poll(emulator, key, _call(emulator, key, "POST", f"{BASE}/P/:import", body=body).headers["operation-location"])
    _poll(
        emulator,
        key,
        _call(emulator, key, "POST", f"{BASE}/P/:train", body={"modelLabel": "m", "trainingMode": "standard"}).headers[
            "operation-location"
        ],
    )
    _poll(
        emulator,
        key,
        _call(emulator, key, "PUT", f"{BASE}/P/deployments/d", body={"trainedModelLabel": "m"}).headers[
            "operation-location"
        ],
    )

    def predict(text, deployment="d"):
        return _call(
            emulator,
            key,
            "POST",
            "/language/:analyze-conversations",
            body={
                "kind": "Conversation",
                "analysisInput": {"conversationItem": {"id": "1", "participantId": "1", "text": text}},
                "parameters": {"projectName": "P", "deploymentName": deployment, "stringIndexType": "Utf16CodeUnit"},
            },
        )

    exact = predict("alpha beta").json()["result"]["prediction"]
    assert exact["topIntent"] == "A" and exact["intents"][0] == {"category": "A", "confidenceScore": 1.0}
    partial = predict("alpha beta extra").json()["result"]["prediction"]
    assert partial["intents"][0]["category"] == "A" and partial["intents"][0]["confidenceScore"] < 0.9
    assert partial["topIntent"] == "None"  # below the project's confidence threshold
    missing = predict("alpha", deployment="nope")
    assert missing.status_code == 404 and missing.headers["x-ms-error-code"] == "NotFound"


def test_grapheme_segmentation():
    assert grapheme_starts("ab") == [0, 1, 2]
    assert grapheme_starts("e\u0301x") == [0, 2, 3]  # combining acute
    assert grapheme_starts("🇫🇷🇩🇪") == [0, 2, 4]  # two flags
    assert grapheme_starts("👍🏽!") == [0, 2, 3]  # skin tone modifier
    assert grapheme_starts("👨\u200d👩\u200d👧x") == [0, 5, 6]  # ZWJ family
    assert grapheme_starts("\r\n") == [0, 2]


def test_exports_validate_against_the_clu_schema(client, clu_corpus):
    from hfx.formats.schemas import schema_errors

    for path in clu_corpus:
        data = json.loads(path.read_text(encoding="utf-8"))
        name = data["metadata"]["projectName"]
        client.import_project(name, data)
        assert schema_errors(client.export_project(name), "clu") == []
