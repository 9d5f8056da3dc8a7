"""`qmt-abigen inspect` and `qmt-abigen call` through typer, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner
from wasm_builder import Output, build_module

from generator.cli import app
from generator.conformance.loopback_server import MODELS, LoopbackServer

runner = CliRunner()
SECRET = "sk-cli-secret-777"


def test_inspect_the_example(openai_wasm: Path) -> None:
    result = runner.invoke(app, ["inspect", str(openai_wasm), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["compatible"] is True
    assert report["name"]
    assert "chat" in report["exports"]
    assert report["config_schema"]["type"] == "object"


def test_inspect_reports_missing_exports(tmp_path: Path) -> None:
    wasm = tmp_path / "partial.wasm"
    wasm.write_bytes(build_module({"name": [Output(b"Partial")]}))
    result = runner.invoke(app, ["inspect", str(wasm)])
    assert result.exit_code == 1
    assert "missing_required: config_schema, from_config, list_models, chat" in result.output
    assert "Traceback" not in result.output


def test_inspect_user_errors(tmp_path: Path) -> None:
    not_wasm = tmp_path / "x.wasm"
    not_wasm.write_text("hello")
    for args, code in (
        (["inspect", str(not_wasm)], 1),  # the file is not a plugin: the check failed
        (["inspect", str(tmp_path / "absent.wasm")], 2),  # nothing to check: bad usage
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == code
        assert "error:" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_call_list_models(openai_wasm: Path, loopback: LoopbackServer, tmp_path: Path) -> None:
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"api_key": SECRET, "base_url": loopback.base_url}))
    result = runner.invoke(app, ["call", str(openai_wasm), "list_models", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == list(MODELS)


def test_call_chat_with_input(openai_wasm: Path, loopback: LoopbackServer, tmp_path: Path) -> None:
    inp = tmp_path / "in.json"
    inp.write_text(
        json.dumps({"messages": [{"role": "User", "message_type": "Text", "content": "Hi"}]})
    )
    cfg = json.dumps({"api_key": SECRET, "base_url": loopback.base_url})
    result = runner.invoke(
        app, ["call", str(openai_wasm), "chat", "--config", cfg, "--input", str(inp)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["text"]


def test_call_failures_are_one_line_without_secrets(openai_wasm: Path, tmp_path: Path) -> None:
    cfg = json.dumps({"api_key": SECRET, "base_url": "http://127.0.0.1:9/v1"})
    result = runner.invoke(app, ["call", str(openai_wasm), "list_models", "--config", cfg])
    assert result.exit_code == 1
    assert "ConnectionFailedError" in result.output
    assert SECRET not in result.output
    bad = runner.invoke(app, ["call", str(openai_wasm), "list_models", "--config", "{nope"])
    assert bad.exit_code == 2
    unknown = runner.invoke(app, ["call", str(openai_wasm), "nope"])
    assert unknown.exit_code == 2
    missing_cfg = runner.invoke(
        app, ["call", str(openai_wasm), "list_models", "--config", json.dumps({"x": 1})]
    )
    assert missing_cfg.exit_code == 2  # a configuration the plugin rejects is bad input
    assert "ConfigError" in missing_cfg.output
