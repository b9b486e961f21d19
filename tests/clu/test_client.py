"""The CLU REST client against the real emulator on loopback."""

from __future__ import annotations

import copy
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from hfx.clu.client import CluClient, parse_retry_after
from hfx.clu.emulator import start_emulator
from hfx.clu.errors import (
    AuthError,
    BadRequest,
    CluCancelled,
    CluConflict,
    CluNotFound,
    JobFailed,
    JobTimeout,
    ServiceError,
    Throttled,
)
from hfx.offsets import span_from_utf16

FLIGHTS = [
    {
        "text": "book a flight to Paris",
        "intent": "BookFlight",
        "entities": [{"category": "City", "offset": 17, "length": 5}],
    },
    {"text": "I need a plane ticket to Berlin", "intent": "BookFlight"},
    {
        "text": "what is the weather in Rome",
        "intent": "GetWeather",
        "entities": [{"category": "City", "offset": 23, "length": 4}],
    },
    {"text": "will it rain tomorrow", "intent": "GetWeather"},
    {"text": "cancel my booking", "intent": "Cancel"},
]
CITY = {"category": "City", "compositionSetting": "combineComponents"}


KEY = "emulator-test-key-3f9a1c"  # conftest.KEY (conftest modules are not importable under importlib mode)
project_file = None  # set per test from the make_project fixture


@pytest.fixture(autouse=True)
def _helpers(make_project, key):
    global project_file
    assert key == KEY
    project_file = make_project


def _seed(client: CluClient, name: str = "Travel", **kwargs) -> dict:
    body = project_file(name, FLIGHTS, entities=[CITY], **kwargs)
    client.import_project(name, body)
    return body


def test_list_projects_follows_next_link_pages(client, emulator):
    for i in range(23):
        created = client.create_or_update_project(f"proj-{i:02d}", {"projectKind": "Conversation", "language": "en-us"})
        assert created["projectName"] == f"proj-{i:02d}"
    names = [p["projectName"] for p in client.list_projects()]
    assert names == [f"proj-{i:02d}" for i in range(23)]
    pages = [path for method, path in emulator.request_log if method == "GET" and "/projects?" in path]
    assert len(pages) == 3  # default page size 10
    assert [p["projectName"] for p in client.list_projects(page_size=5)] == names


def test_patch_merges_and_get_returns_settings(client):
    client.create_or_update_project(
        "P1",
        {
            "projectKind": "Conversation",
            "language": "en-us",
            "description": "first",
            "settings": {"confidenceThreshold": 0.3},
        },
    )
    updated = client.create_or_update_project("P1", {"description": "second"})
    assert updated["description"] == "second"
    got = client.get_project("P1")
    assert got["settings"]["confidenceThreshold"] == 0.3
    assert got["language"] == "en-us" and got["multilingual"] is False


def test_import_export_round_trip_is_lossless(client, flight_booking):
    client.import_project("FlightBooking", flight_booking)
    first = client.export_project("FlightBooking")
    assert first["stringIndexType"] == "Utf16CodeUnit"
    assert first["metadata"]["projectName"] == "FlightBooking"
    assert first["assets"]["utterances"] == flight_booking["assets"]["utterances"]
    client.import_project("FlightBooking", copy.deepcopy(first))
    second = client.export_project("FlightBooking")
    assert second == first


def test_job_status_progresses_through_states(flight_booking):
    with start_emulator(key=KEY, job_delay_ms=150) as emu, CluClient(emu.url, KEY, poll_interval=0.01) as client:
        seen: list[str] = []
        job = client.import_project("FlightBooking", flight_booking, on_progress=lambda j: seen.append(j["status"]))
        assert job["status"] == "succeeded"
        order = [s for i, s in enumerate(seen) if i == 0 or seen[i - 1] != s]
        assert order == ["notStarted", "running", "succeeded"]


def test_import_with_wrong_project_name_is_a_bad_request(client):
    body = project_file("Other", FLIGHTS, entities=[CITY])
    with pytest.raises(BadRequest) as info:
        client.import_project("Travel", body)
    assert info.value.status == 400
    assert info.value.code == "InvalidArgument"
    assert any(d["target"] == "#/metadata/projectName" for d in info.value.details)


def test_import_content_errors_fail_the_job_with_details(client):
    utterances = [
        {"text": "hello 😀 there", "intent": "Greet", "entities": [{"category": "Thing", "offset": 7, "length": 1}]},
        {"text": "bye", "intent": "Undeclared"},
    ]
    body = project_file("Bad", utterances, intents=["Greet", "bad/name", "x" * 51], entities=[{"category": "Thing"}])
    with pytest.raises(JobFailed) as info:
        client.import_project("Bad", body)
    targets = {d["target"] for d in info.value.details}
    assert "#/assets/intents/1/category" in targets  # forbidden '/'
    assert "#/assets/intents/2/category" in targets  # 51 characters
    assert "#/assets/utterances/1/intent" in targets  # undeclared intent
    assert "#/assets/utterances/0/entities/0" in targets  # offset 7 cuts the emoji's surrogate pair


def test_train_deploy_predict_returns_training_intents(client):
    _seed(client)
    job = client.train("Travel", "m1")
    assert job["result"]["modelLabel"] == "m1"
    deployment = client.deploy("Travel", "prod", "m1")
    assert deployment["modelId"] == client.get_model("Travel", "m1")["modelId"]
    for utt in FLIGHTS:
        result = client.analyze(utt["text"], "Travel", "prod")
        prediction = result["prediction"]
        assert result["query"] == utt["text"]
        assert prediction["topIntent"] == utt["intent"]
        scores = [i["confidenceScore"] for i in prediction["intents"]]
        assert scores == sorted(scores, reverse=True) and scores[0] == 1.0
        assert {i["category"] for i in prediction["intents"]} == {"BookFlight", "GetWeather", "Cancel", "None"}


def test_deletes(client):
    _seed(client)
    client.train("Travel", "m1")
    client.deploy("Travel", "prod", "m1")
    client.delete_deployment("Travel", "prod")
    with pytest.raises(CluNotFound):
        client.get_deployment("Travel", "prod")
    client.delete_model("Travel", "m1")
    assert client.list_models("Travel") == []
    client.delete_project("Travel")
    assert not client.project_exists("Travel")


def test_typed_errors(client, emulator):
    with pytest.raises(CluNotFound) as info:
        client.get_project("missing")
    assert (info.value.status, info.value.code) == (404, "ProjectNotFound")
    assert info.value.request_id

    with CluClient(emulator.url, "wrong-key", poll_interval=0.01) as bad:
        with pytest.raises(AuthError) as auth:
            list(bad.list_projects())
    assert auth.value.status == 401 and "invalid subscription key" in auth.value.message
    assert "wrong-key" not in str(auth.value)
    assert str(auth.value).startswith("CLU HTTP 401: Access denied")  # Azure's code "401" is not repeated

    _seed(client)
    emulator.state.job_delay = 30.0
    location = client.train("Travel", "m1", wait=False)
    with pytest.raises(CluConflict) as conflict:
        client.train("Travel", "m2", wait=False)
    assert conflict.value.status == 409
    client.cancel_training("Travel", location.split("/")[-1].split("?")[0])


def test_injected_faults_are_retried_to_zero_failures(flight_booking):
    with (
        start_emulator(key=KEY, fault_rate=0.2, fault_retry_after_ms=5, seed=7) as emu,
        CluClient(emu.url, KEY, poll_interval=0.01, backoff=0.01, max_attempts=8) as client,
    ):
        client.import_project("FlightBooking", flight_booking)
        client.train("FlightBooking", "m1")
        client.deploy("FlightBooking", "prod", "m1")
        texts = [u["text"] for u in flight_booking["assets"]["utterances"]] * 3
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda t: client.analyze(t, "FlightBooking", "prod"), texts))
        assert [r["query"] for r in results] == texts
        faults = emu.state.counters["faults_429"] + emu.state.counters["faults_503"]
        assert faults >= 10
        assert emu.state.counters["faults_429"] > 0 and emu.state.counters["faults_503"] > 0
        assert client.stats["retries"] == faults


def test_retry_after_is_honoured_and_attempts_are_bounded():
    waits: list[float] = []
    with start_emulator(key=KEY, rps=1) as emu, CluClient(emu.url, KEY, max_attempts=3, sleep=waits.append) as client:
        client.create_or_update_project("A", {"projectKind": "Conversation", "language": "en-us"})
        with pytest.raises(Throttled) as info:
            client.get_project("A")
    assert info.value.status == 429 and info.value.retry_after is not None
    assert len(waits) == 2  # 3 attempts, 2 waits, each the server's hint (< 1 s), not the backoff
    assert all(0 < w <= 1.0 for w in waits)
    assert emu.state.counters["throttled"] == 3


def test_parse_retry_after_forms():
    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250", "Retry-After": "1"}) == 0.25
    assert parse_retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412470.0) == 10.0
    assert parse_retry_after({}) is None


def test_connection_errors_back_off_then_fail():
    import socket

    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []
    client = CluClient(f"http://127.0.0.1:{port}", KEY, max_attempts=4, backoff=0.1, sleep=waits.append, seed=1)
    with pytest.raises(ServiceError) as info:
        client.get_project("x")
    assert info.value.code == "ConnectionError"
    assert "after 4 attempts: cannot connect" in str(info.value)
    assert len(waits) == 3 and waits[0] < waits[2]  # exponential


def test_polling_deadline_raises_timeout(client, emulator):
    _seed(client)
    emulator.state.job_delay = 30.0
    started = time.monotonic()
    with pytest.raises(JobTimeout) as info:
        client.train("Travel", "m1", deadline=0.3)
    assert time.monotonic() - started < 5
    assert info.value.job["status"] in ("notStarted", "running")


@pytest.mark.parametrize("kind", ["event", "callable"])
def test_cancellation_stops_polling_and_cancels_training(client, emulator, kind):
    _seed(client)
    emulator.state.job_delay = 30.0
    event = threading.Event()
    cancel = event if kind == "event" else event.is_set
    threading.Timer(0.2, event.set).start()
    started = time.monotonic()
    with pytest.raises(CluCancelled):
        client.train("Travel", "m1", cancel=cancel, interval=0.05)
    assert time.monotonic() - started < 5
    jobs = [j for j in emulator.state.jobs.values() if j.kind == "train"]
    assert len(jobs) == 1 and jobs[0].cancel_requested
    with pytest.raises(CluCancelled):  # the CLU job itself ends cancelled
        client.wait_job(f"{emulator.url}{jobs[0].status_path()}", deadline=5)


def test_key_never_in_urls_reprs_or_logs(client, emulator, caplog, flight_booking):
    caplog.set_level(logging.DEBUG)
    client.import_project("FlightBooking", flight_booking)
    client.export_project("FlightBooking")
    client.train("FlightBooking", "m1")
    client.deploy("FlightBooking", "prod", "m1")
    client.analyze("book a flight", "FlightBooking", "prod")
    with pytest.raises(CluNotFound):
        client.get_project("nope")
    assert emulator.request_log
    assert all(KEY not in path for _, path in emulator.request_log)
    assert any("analyze-conversations" in r.getMessage() for r in caplog.records)  # URLs are logged...
    assert all(KEY not in r.getMessage() for r in caplog.records)  # ...the key never
    assert KEY not in repr(client) and KEY not in repr(emulator.state)


def test_prediction_offsets_in_requested_units_with_emoji(client):
    text = "👨‍👩‍👧 fly to Paris 😀 now"
    entities = [
        {
            "category": "City",
            "list": {
                "sublists": [{"listKey": "PAR", "synonyms": [{"language": "en-us", "values": ["Paris", "paree"]}]}]
            },
        },
        {
            "category": "Code",
            "regex": {"expressions": [{"regexKey": "flight", "language": "en-us", "regexPattern": "[A-Z]{2}\\d{3}"}]},
        },
    ]
    utterances = [
        {
            "text": "😀 book AB123 to paree",
            "intent": "Book",
            "entities": [{"category": "Code", "offset": 8, "length": 5}],
        },
        {"text": "go home", "intent": "Home"},
    ]
    client.import_project("Emoji", project_file("Emoji", utterances, entities=entities))
    client.train("Emoji", "m1")
    client.deploy("Emoji", "prod", "m1")
    start = text.index("Paris")
    expected = {
        "Utf16CodeUnit": len(text[:start].encode("utf-16-le")) // 2,
        "UnicodeCodePoint": start,
        "TextElement_V8": 1 + len(" fly to "),  # the ZWJ family emoji is one grapheme
        "textelements_v8": 1 + len(" fly to "),
    }
    for index_type, offset in expected.items():
        entities_found = client.analyze(text, "Emoji", "prod", string_index_type=index_type)["prediction"]["entities"]
        city = next(e for e in entities_found if e["category"] == "City")
        assert (city["offset"], city["length"], city["text"]) == (offset, 5, "Paris")
        assert city["extraInformation"] == [{"extraInformationKind": "ListKey", "key": "PAR"}]
    found = client.analyze("😀 flight CD456 please", "Emoji", "prod")["prediction"]["entities"]
    code = next(e for e in found if e["category"] == "Code")
    assert span_from_utf16("😀 flight CD456 please", code["offset"], code["length"]) == (9, 14)
    assert code["extraInformation"][0]["extraInformationKind"] == "RegexKey"


def test_one_client_from_a_thread_pool(client):
    _seed(client)
    client.train("Travel", "m1")
    client.deploy("Travel", "prod", "m1")
    texts = [u["text"] for u in FLIGHTS] * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        tops = list(pool.map(lambda t: client.analyze(t, "Travel", "prod")["prediction"]["topIntent"], texts))
    assert tops == [u["intent"] for u in FLIGHTS] * 8


def test_max_rps_spaces_requests_across_threads(key):
    with start_emulator(key=key, rps=20) as emu, CluClient(emu.url, key, max_rps=18) as client:
        client.create_or_update_project("A", {"projectKind": "Conversation", "language": "en-us"})
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(lambda _: client.get_project("A"), range(12)))
        assert emu.state.counters["throttled"] == 0  # paced under the server's limit: never refused
        assert client.stats["retries"] == 0 and client.stats["requests"] == 13


def test_answers_of_an_unexpected_shape_are_clean_errors():
    """A proxy or a wrong endpoint answering 200 with other JSON: a CluError, never an AttributeError."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from hfx.clu.errors import CluError

    class Odd(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def _send(self, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(202 if headers else 200)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self._send(b"[1, 2]" if "projects" in self.path else b"<html>job</html>")

        def do_POST(self):
            if self.path.startswith("/language/:analyze"):  # the runtime, not the authoring API
                self._send(b"[]")
                return
            host, port = self.server.server_address[:2]
            self._send(b"", {"operation-location": f"http://{host}:{port}/jobs/1"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Odd)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        with CluClient(f"http://127.0.0.1:{server.server_address[1]}", KEY, poll_interval=0.01) as client:
            with pytest.raises(CluError, match="unexpected list page"):
                list(client.list_projects())
            with pytest.raises(CluError, match="unexpected job status"):
                client.train("P", "m")
            with pytest.raises(CluError, match="prediction without result"):
                client.analyze("hi", "P", "d")
    finally:
        server.shutdown()
        server.server_close()
