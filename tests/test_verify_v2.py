"""`qmt-abigen verify` on v2 plugins: the ABI detected from the exports, the v2 example passing
every check, and the v2 example rebuilt with one deliberate fault each (tests/rust/v2-broken)
failing exactly the check that fault breaks, against the real runtime and loopback server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cargo_wasm import build_wasm
from typer.testing import CliRunner
from wasm_builder import Output, build_module

from generator.cli import app
from generator.conformance.checks.stream import frame
from generator.conformance.loopback_server import LoopbackServer
from generator.conformance.report import Status
from generator.conformance.runner import verify_plugin

ROOT = Path(__file__).resolve().parent.parent
BROKEN_CRATE = ROOT / "tests" / "rust" / "v2-broken"
V2 = "querymt-extism-v2"
V2_CHECKS = {"request", "malformed-body", "typed-errors", "stream", "stream-ids", "stream-refusal"}
runner = CliRunner()


def run_cli(*args: str) -> Any:
    result = runner.invoke(app, ["verify", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def failures(report: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(c["check"], c["export"]) for c in report["checks"] if c["status"] == "FAIL"}


@pytest.fixture(scope="module")
def broken_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data, _ = build_wasm(BROKEN_CRATE)
    path = tmp_path_factory.mktemp("v2-broken") / "v2-broken.wasm"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def lax_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data, _ = build_wasm(BROKEN_CRATE, features=["lax-config"])
    path = tmp_path_factory.mktemp("v2-lax") / "v2-lax.wasm"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def reusing_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data, _ = build_wasm(BROKEN_CRATE, features=["reuse-ids"])
    path = tmp_path_factory.mktemp("v2-reuse") / "v2-reuse.wasm"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def bad_json_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data, _ = build_wasm(BROKEN_CRATE, features=["bad-json"])
    path = tmp_path_factory.mktemp("v2-bad-json") / "v2-bad-json.wasm"
    path.write_bytes(data)
    return path


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as started:
        yield started


# --------------------------------------------------------------------------- the example


def test_the_v2_example_passes_every_check(v2_example_wasm: Path, server: LoopbackServer) -> None:
    report = verify_plugin(v2_example_wasm, server=server)
    bad = [c for c in report.checks if c.status is not Status.PASS]
    assert not bad, bad
    assert report.ok and report.abi == V2
    assert (report.mode, report.dialect) == ("adapter", "0.6.0")
    assert report.verdict == f"conforms to {V2}, adapter mode, dialect 0.6.0"
    names = {c.check for c in report.checks}
    assert names >= V2_CHECKS
    # Each request went to the loopback server, which answered it with the recording.
    paths = [(r.method, r.path) for r in server.requests]
    for expected in ("/v1/models", "/v1/chat/completions", "/v1/embeddings", "/v1/completions"):
        assert any(path == expected for _, path in paths), paths
    streamed = [r for r in server.requests if r.json and r.json.get("stream") is True]
    assert len(streamed) == 1
    stream = next(c for c in report.checks if c.check == "stream")
    assert 'text "Hello from the recording!"' in stream.detail
    typed = next(c for c in report.checks if c.check == "typed-errors")
    assert "429 -> " in typed.detail and "retry_after_secs=7" in typed.detail
    assert "kind=authentication" in typed.detail


def test_the_cli_detects_v2_and_names_spec_and_dialect(v2_example_wasm: Path) -> None:
    result = run_cli(str(v2_example_wasm), "--json", "-")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["abi"], report["mode"], report["dialect"]) == (V2, "adapter", "0.6.0")
    assert report["summary"]["fail"] == 0 and report["summary"]["skip"] == 0
    assert f"({V2}, adapter mode, dialect 0.6.0)" in result.stderr.replace("\n", "")


def test_the_v1_example_is_detected_as_v1(openai_wasm: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run_cli(str(openai_wasm), "--json", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["abi"] == "querymt-extism-v1"
    assert "dialect" not in report and "mode" not in report  # v1's report keeps its shape
    assert not V2_CHECKS & {c["check"] for c in report["checks"]}


def test_spec_overrides_the_detection(v2_example_wasm: Path) -> None:
    result = run_cli(str(v2_example_wasm), "--spec", str(ROOT / "spec/querymt-extism-v1.yaml"))
    assert result.exit_code == 1
    assert "verdict: not a QueryMT plugin: missing exports list_models, chat" in result.stdout


def test_a_legacy_plugin_gets_a_clear_verdict(tmp_path: Path) -> None:
    exports = ["name", "config_schema", "from_config", "list_models", "chat", "embed", "complete"]
    wasm = tmp_path / "legacy.wasm"
    wasm.write_bytes(
        build_module(
            {name: [Output(b"{}")] for name in exports},
            host_imports=[("extism:host/user", "qmt_http_request")],
        )
    )
    result = run_cli(str(wasm), "--json", "-")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert failures(report) == {("abi", None)}
    assert (
        "legacy QueryMT plugin"
        in next(c for c in report["checks"] if c["check"] == "abi")["detail"]
    )
    assert report["verdict"].startswith("not a QueryMT plugin: it speaks QueryMT 0.3's legacy ABI")


def test_responses_dir_replaces_the_recordings(
    v2_example_wasm: Path, server: LoopbackServer, tmp_path: Path
) -> None:
    """A provider's own recordings are what the server answers; a protocol without one falls
    back to the loopback server's own answer, and a stream recording without `done` fails."""
    stream = b'data: {"choices":[{"index":0,"delta":{"content":"Hej"},"finish_reason":null}]}\n\n'
    (tmp_path / "chat_stream.sse").write_bytes(stream)
    (tmp_path / "expected.json").write_text('{"chat_stream": {"text": "Hej"}}')
    report = verify_plugin(v2_example_wasm, server=server, responses=tmp_path)
    assert {(c.check, c.export) for c in report.failed} == {("stream", "chat_stream_parser_start")}
    detail = report.failed[0].detail
    assert "no `done` chunk" in detail
    chat = next(c for c in report.checks if (c.check, c.export) == ("request", "chat_request"))
    assert chat.status is Status.PASS and "sent an answer" in chat.detail


def test_a_missing_responses_dir_is_a_usage_error(v2_example_wasm: Path, tmp_path: Path) -> None:
    result = run_cli(str(v2_example_wasm), "--responses", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "--responses" in result.output and "is not a directory" in result.output


def test_framing_is_querymts() -> None:
    assert frame(b"a\n\nb") == [b"a\n", b"\n", b"b\n"]
    assert frame(b"a\r\n") == [b"a\r\n", b"\n"]


# --------------------------------------------------------------------------- broken plugins

BROKEN: dict[str, set[tuple[str, str]]] = {
    "foreign-url": {("request", "chat_request")},
    "trap-on-malformed": {("malformed-body", "parse_chat_response")},
    "no-done": {("stream", "chat_stream_parser_start")},
    "misclassify": {("typed-errors", "classify_chat_error")},
}


def _config(server: LoopbackServer, fault: str) -> dict[str, str]:
    return {"api_key": "sk-verify", "base_url": server.base_url, "model": "m", "qmt_break": fault}


def test_the_broken_crate_without_a_fault_conforms(
    broken_wasm: Path, server: LoopbackServer
) -> None:
    report = verify_plugin(broken_wasm, config=_config(server, ""), server=server)
    assert report.ok, report.failed


@pytest.mark.parametrize("fault", sorted(BROKEN))
def test_a_broken_v2_plugin_fails_exactly_its_check(
    fault: str, broken_wasm: Path, server: LoopbackServer
) -> None:
    report = verify_plugin(broken_wasm, config=_config(server, fault), server=server)
    assert {(c.check, c.export) for c in report.failed} == BROKEN[fault], report.failed
    # The CLI, against the same server: exit code 1 and the same failures.
    config = json.dumps(_config(server, fault))
    result = run_cli(
        str(broken_wasm), "--base-url", server.base_url, "--config", config, "--json", "-"
    )
    assert result.exit_code == 1, result.output
    assert failures(json.loads(result.stdout)) == BROKEN[fault]


def test_the_foreign_request_is_never_sent(broken_wasm: Path, server: LoopbackServer) -> None:
    report = verify_plugin(broken_wasm, config=_config(server, "foreign-url"), server=server)
    failed = report.failed[0]
    assert "collector.invalid" in failed.detail and "not sent" in failed.detail
    assert not any("collector" in r.headers.get("host", "") for r in server.requests)


def test_a_lax_configuration_fails_invalid_config(lax_wasm: Path, server: LoopbackServer) -> None:
    """QueryMT's macro decodes one config struct for every export that takes the bare
    configuration, so a struct that accepts `{}` fails `invalid-config` on each of them."""
    report = verify_plugin(lax_wasm, config=_config(server, ""), server=server)
    assert {(c.check, c.export) for c in report.failed} == {
        ("invalid-config", "from_config"),
        ("invalid-config", "chat_stream_parser_start"),
        ("invalid-config", "supports_streaming"),
    }
    assert all("config {} accepted" in c.detail for c in report.failed)


def test_a_reused_parser_id_fails_stream_ids(reusing_wasm: Path, server: LoopbackServer) -> None:
    report = verify_plugin(reusing_wasm, config=_config(server, ""), server=server)
    assert {(c.check, c.export) for c in report.failed} == {
        ("stream-ids", "chat_stream_parser_start")
    }
    assert "a parser started after close got the used id" in report.failed[0].detail


def test_a_parse_answering_invalid_json_fails_stream_and_encoding(
    bad_json_wasm: Path, server: LoopbackServer
) -> None:
    """The parse export answers every line it parsed with text that is not JSON: the stream
    check sees it on every line, and the generic `encoding` check on the export's own call."""
    report = verify_plugin(bad_json_wasm, config=_config(server, ""), server=server)
    assert {(c.check, c.export) for c in report.failed} == {
        ("stream", "chat_stream_parser_start"),
        ("encoding", "chat_stream_parser_parse"),
    }
    stream = next(c for c in report.failed if c.check == "stream")
    assert stream.detail.startswith("line 1: not JSON") and "more)" in stream.detail
