"""`qmt-abigen verify`: the conformance suite against the example plugin, a scripted conforming
plugin, and scripted plugins each broken in one way (tests/plugins/wasm_builder.py)."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from wasm_builder import (
    Echo,
    Http,
    Loop,
    Output,
    RequirePrefix,
    ReturnCode,
    Step,
    Trap,
    build_module,
)

from generator import ir
from generator.cli import app
from generator.conformance.loopback_server import LoopbackServer
from generator.conformance.report import Status
from generator.conformance.runner import verify_plugin

runner = CliRunner()
SECRET = "sk-verify-secret-9431"
SCHEMA = json.dumps(
    {
        "type": "object",
        "required": ["api_key"],
        "properties": {"api_key": {"type": "string"}, "base_url": {"type": "string"}},
    }
).encode()
CHAT = b'{"text":"ok","tool_calls":null,"thinking":null,"usage":null}'
IS_CONFIG = RequirePrefix(b'{"api_key":', b"Serde error: missing field `api_key`")
IS_REQUEST = RequirePrefix(b'{"cfg":{"api_key":', b"Serde error: expected value")


def scripted(
    base_url: str, answers: dict[str, bytes] | None = None, **overrides: list[Step] | None
) -> bytes:
    """A plugin that passes every check against the server at `base_url` (it reaches the server,
    rejects bad input with an error message); `answers` replaces what an export finally outputs,
    `export=[...]` replaces the whole export, `None` drops it.
    """
    final = {
        "list_models": b'["m1"]',
        "chat": CHAT,
        "embed": b"[[0.5]]",
        "complete": b'{"text":"done"}',
        **(answers or {}),
    }

    def http(path: str, method: str = "POST") -> Http:
        request = {"method": method, "url": f"{base_url}{path}", "headers": {}}
        return Http(json.dumps(request).encode())

    exports: dict[str, list[Step] | None] = {
        "name": [Output(b"Scripted")],
        "config_schema": [Output(SCHEMA)],
        "from_config": [IS_CONFIG, Echo()],
        "list_models": [IS_CONFIG, http("/models", "GET"), Output(final["list_models"])],
        "chat": [IS_REQUEST, http("/chat/completions"), Output(final["chat"])],
        "embed": [IS_REQUEST, http("/embeddings"), Output(final["embed"])],
        "complete": [IS_REQUEST, http("/completions"), Output(final["complete"])],
    }
    exports.update(overrides)
    return build_module({k: v for k, v in exports.items() if v is not None})


def run_cli(*args: str) -> Any:
    result = runner.invoke(app, ["verify", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def failures(report: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(c["check"], c["export"]) for c in report["checks"] if c["status"] == "FAIL"}


def fail_line(output: str, check: str, export: str) -> str:
    """The table row of one failed check."""
    pattern = re.compile(rf"^\W*{re.escape(check)}\s*\W\s*{re.escape(export)}\s*\W\s*FAIL\b")
    lines = [line for line in output.splitlines() if pattern.match(line)]
    assert lines, f"no FAIL line for {check} {export} in:\n{output}"
    return lines[0]


# --------------------------------------------------------------------------- conforming plugins


def test_the_example_plugin_passes_every_check(openai_wasm: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    started = time.perf_counter()
    result = run_cli(str(openai_wasm), "--json", str(out))
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["ok"] is True
    assert report["summary"]["fail"] == 0
    assert report["summary"]["skip"] == 0
    assert {c["status"] for c in report["checks"]} == {"PASS"}
    assert report["name"] == "My Example LLM HTTP Plugin"
    assert report["verdict"] == "conforms to querymt-extism-v1"
    assert report["config_keys"] == ["api_key", "base_url"]
    checks = {(c["check"], c["export"]) for c in report["checks"]}
    for export in ("list_models", "chat", "embed", "complete"):
        assert ("allowed-hosts", export) in checks
        assert ("malformed-input", export) in checks
    assert ("invalid-config", "from_config") in checks
    assert ("json-schema", "config_schema") in checks
    assert "conforms to querymt-extism-v1" in result.output
    assert elapsed < 10


def test_json_to_stdout_is_pure_and_deterministic(loopback: LoopbackServer, tmp_path: Path) -> None:
    wasm = tmp_path / "scripted.wasm"
    wasm.write_bytes(scripted(loopback.base_url))
    first = run_cli(str(wasm), "--base-url", loopback.base_url, "--json", "-")
    second = run_cli(str(wasm), "--base-url", loopback.base_url, "--json", "-")
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    report = json.loads(first.stdout)  # the table went to stderr
    assert report["summary"] == {
        "pass": report["summary"]["total"] - 2,
        "fail": 0,
        "skip": 2,
        "total": report["summary"]["total"],
    }
    skipped = [(c["export"], c["detail"]) for c in report["checks"] if c["status"] == "SKIP"]
    assert skipped == [("base_url", "optional, absent"), ("api_key_name", "optional, absent")]
    assert "verdict" in first.stderr


def test_allowed_hosts_check_proves_the_server_received_nothing(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    wasm = tmp_path / "scripted.wasm"
    wasm.write_bytes(scripted(loopback.base_url))
    report = verify_plugin(wasm, server=loopback, timeout_ms=2_000)
    assert report.ok, report.to_json()
    by_key = {(c.check, c.export): c for c in report.checks}
    for export in ("list_models", "chat", "embed", "complete"):
        check = by_key[("allowed-hosts", export)]
        assert check.status is Status.PASS
        assert "the server received nothing" in check.detail
    # Only the four `call`s reached the server: the allow-list runs did not.
    paths = sorted(r.path for r in loopback.requests)
    assert paths == sorted(
        ["/v1/models", "/v1/chat/completions", "/v1/embeddings", "/v1/completions"]
    )


def test_a_secret_in_the_config_is_never_printed(openai_wasm: Path, tmp_path: Path) -> None:
    with LoopbackServer(api_key="another-key") as server:  # every HTTP call fails with 401
        config = json.dumps({"api_key": SECRET, "base_url": server.base_url, "extra": 1})
        out = tmp_path / "report.json"
        result = run_cli(
            str(openai_wasm), "--config", config, "--base-url", server.base_url, "--json", str(out)
        )
    assert result.exit_code == 1
    text = result.output + out.read_text()
    assert SECRET not in text
    report = json.loads(out.read_text())
    assert report["config_keys"] == ["api_key", "base_url"]  # pruned like the host does
    assert ("call", "chat") in failures(report)


def test_an_export_added_to_the_spec_is_checked(
    spec_v1: ir.Spec, loopback: LoopbackServer, tmp_path: Path
) -> None:
    version = dataclasses.replace(
        spec_v1.export("name"), name="version", optional=True, description="The version."
    )
    spec = dataclasses.replace(spec_v1, exports=(*spec_v1.exports, version))
    wasm = tmp_path / "versioned.wasm"
    wasm.write_bytes(scripted(loopback.base_url, version=[Output(b"\xff1.0")]))
    report = verify_plugin(wasm, server=loopback, spec=spec)
    by_key = {(c.check, c.export): c for c in report.checks}
    assert by_key[("export", "version")].status is Status.PASS
    assert by_key[("call", "version")].status is Status.PASS
    assert by_key[("encoding", "version")].status is Status.FAIL
    assert {(c.check, c.export) for c in report.failed} == {("encoding", "version")}


# --------------------------------------------------------------------------- broken plugins

BROKEN: dict[str, tuple[dict[str, Any], set[tuple[str, str]], str]] = {
    "missing required export": ({"chat": None}, {("export", "chat")}, "required, missing"),
    "chat returns non-JSON": (
        {"answers": {"chat": b"Hello, not JSON"}},
        {("encoding", "chat")},
        "not JSON",
    ),
    "name returns invalid UTF-8": (
        {"name": [Output(b"Scr\xffipted")]},
        {("encoding", "name")},
        "not UTF-8",
    ),
    "chat output violates the schema": (
        {"answers": {"chat": b'{"text": 5}'}},
        {("schema", "chat")},
        "text: 5 is not of type",
    ),
    "chat traps": (
        {"chat": [Trap()]},
        {("call", "chat"), ("malformed-input", "chat"), ("allowed-hosts", "chat")},
        "trapped",
    ),
    "from_config accepts anything": (
        {"from_config": [Echo()]},
        {("malformed-input", "from_config"), ("invalid-config", "from_config")},
        "malformed JSON accepted",
    ),
    "bad input fails with a bare code": (
        {"complete": [RequirePrefix(b'{"cfg":{"api_key":', b""), Output(b'{"text":"x"}')]},
        {("malformed-input", "complete"), ("allowed-hosts", "complete")},
        "without an error message",
    ),
    "embed skips HTTP": (
        {"embed": [IS_REQUEST, Output(b"[[0.5]]")]},
        {("allowed-hosts", "embed")},
        "expected host-not-allowed",
    ),
    "config_schema is not a JSON Schema": (
        {"config_schema": [Output(b'{"type": 5}')]},
        {("json-schema", "config_schema")},
        "metaschema",
    ),
    "from_config errors without a message": (
        {"from_config": [ReturnCode(3)]},
        {
            ("call", "from_config"),
            ("malformed-input", "from_config"),
            ("invalid-config", "from_config"),
        },
        "returned code 3 without an error message",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_plugin_fails_exactly_its_check(
    case: str, loopback: LoopbackServer, tmp_path: Path
) -> None:
    overrides, expected, detail = BROKEN[case]
    wasm = tmp_path / "broken.wasm"
    wasm.write_bytes(scripted(loopback.base_url, **overrides))
    out = tmp_path / "report.json"
    result = run_cli(str(wasm), "--base-url", loopback.base_url, "--json", str(out))
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text())
    assert failures(report) == expected
    check, export = sorted(expected)[0]
    assert detail in " ".join(
        c["detail"] for c in report["checks"] if c["status"] == "FAIL"
    ), report
    fail_line(result.stdout, check, export)
    assert report["ok"] is False


def test_missing_export_gives_a_verdict(loopback: LoopbackServer, tmp_path: Path) -> None:
    wasm = tmp_path / "partial.wasm"
    wasm.write_bytes(scripted(loopback.base_url, chat=None, embed=None))
    result = run_cli(str(wasm), "--base-url", loopback.base_url)
    assert result.exit_code == 1
    assert "not a QueryMT plugin: missing exports chat, embed" in result.stdout


def test_an_infinite_loop_is_a_timeout_in_bounded_time(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    wasm = tmp_path / "loop.wasm"
    wasm.write_bytes(scripted(loopback.base_url, chat=[Loop()], embed=[Loop()]))
    out = tmp_path / "report.json"
    started = time.perf_counter()
    result = run_cli(
        str(wasm), "--base-url", loopback.base_url, "--timeout-ms", "250", "--json", str(out)
    )
    elapsed = time.perf_counter() - started
    assert result.exit_code == 1
    assert "timed out after 250 ms" in fail_line(result.stdout, "call", "chat")
    report = json.loads(out.read_text())
    assert failures(report) == {("call", "chat"), ("call", "embed")}
    skipped = {(c["check"], c["export"]) for c in report["checks"] if c["status"] == "SKIP"}
    assert ("malformed-input", "chat") in skipped  # a hung export is not called again
    assert ("allowed-hosts", "embed") in skipped
    assert elapsed < 0.25 * 2 + 3


# --------------------------------------------------------------------------- not plugins at all


def test_a_wasm_module_that_is_not_extism(tmp_path: Path) -> None:
    wasm = tmp_path / "empty.wasm"
    wasm.write_bytes(b"\x00asm\x01\x00\x00\x00")  # valid: no imports, no exports
    out = tmp_path / "report.json"
    result = run_cli(str(wasm), "--json", str(out))
    assert result.exit_code == 1
    assert "verdict: not a QueryMT plugin: not an Extism module; missing exports name" in (
        result.stdout
    )
    report = json.loads(out.read_text())
    assert report["verdict"].startswith("not a QueryMT plugin")
    assert ("extism", None) in failures(report)
    assert ("export", "config_schema") in failures(report)


def test_a_file_that_is_not_wasm(tmp_path: Path) -> None:
    text = tmp_path / "plugin.wasm"
    text.write_text("this is not a plugin\n")
    result = run_cli(str(text), "--json", "-")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["verdict"].startswith("not WebAssembly")
    assert [(c["check"], c["status"]) for c in report["checks"]] == [("wasm", "FAIL")]
    assert "not WebAssembly" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["absent.wasm"], "does not exist"),
        (["{wasm}", "--config", "{{not json"], "--config is not JSON"),
        (["{wasm}", "--config", "[1]"], "--config must be a JSON object"),
        (["{wasm}", "--config", "missing-config.json"], "cannot read --config file"),
        (["{wasm}", "--base-url", "ftp://example"], "--base-url must be an absolute http(s) URL"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    wasm = tmp_path / "x.wasm"
    wasm.write_bytes(b"\x00asm\x01\x00\x00\x00")
    argv = [a.replace("{wasm}", str(wasm)) for a in args]
    argv = [str(tmp_path / a) if a.endswith(".wasm") and "/" not in a else a for a in argv]
    result = run_cli(*argv)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
