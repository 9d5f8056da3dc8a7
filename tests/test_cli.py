"""The command line's exit statuses and options, command by command (0 ok, 1 the checked thing
failed, 2 bad usage or input), and its user errors without tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from spec_mutants import SPEC_TEXT
from typer.testing import CliRunner

from generator.cli import app

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("generate", "validate", "inspect", "call", "verify")
runner = CliRunner()
CFG = json.dumps({"api_key": "sk-cli", "base_url": "http://127.0.0.1:9/v1"})


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_states_the_exit_statuses_and_shows_flags_plainly(command: str) -> None:
    code, out = invoke(command, "--help")
    assert code == 0
    assert "Exit status:" in out
    assert re.search(r"^\s+0  \S", out, re.M) and re.search(r"^\s+2  \S", out, re.M)
    assert "<bool>" not in out and "BOOLEAN" not in out


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "spec"
    directory.mkdir()
    (directory / "querymt-extism-v1.yaml").write_text(SPEC_TEXT, encoding="utf-8")
    return directory


def test_generate_usage_errors(spec_dir: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("keep")
    code, out = invoke("generate", "--spec-dir", str(spec_dir), "--out-dir", str(a_file))
    assert code == 2 and f"--out-dir {a_file} is not a directory" in out
    assert a_file.read_text() == "keep"
    code, out = invoke("generate", "--target", "cobol")
    assert code == 2 and "unknown target cobol" in out
    code, out = invoke("generate", "--spec-dir", str(tmp_path / "none"))
    assert code == 2 and "is not a directory" in out


def test_generate_check_names_the_out_dir(spec_dir: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "elsewhere"
    code, out = invoke(
        "generate", "--check", "--target", "docs", "--spec-dir", str(spec_dir),
        "--out-dir", str(out_dir),
    )  # fmt: skip
    assert code == 1
    assert f"{out_dir}/ is stale" in out and "generated/ is" not in out
    code, _ = invoke(
        "generate", "--target", "docs", "--spec-dir", str(spec_dir), "--out-dir", str(out_dir)
    )
    assert code == 0
    code, out = invoke(
        "generate", "--check", "--full", "--target", "docs", "--spec-dir", str(spec_dir),
        "--out-dir", str(out_dir),
    )  # fmt: skip
    assert code == 0 and f"{out_dir}/ is up to date" in out


def test_an_unreadable_spec_is_a_clean_error(
    spec_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = spec_dir / "querymt-extism-v1.yaml"
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == spec:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)  # as root, chmod cannot deny reading
    code, out = invoke("generate", "--spec-dir", str(spec_dir), "--out-dir", str(tmp_path / "o"))
    assert code == 2
    assert "spec/querymt-extism-v1.yaml:1:1: cannot read spec: Permission denied" in out
    assert not (tmp_path / "o").exists()


def test_two_specs_with_one_name_name_both_files(spec_dir: Path, tmp_path: Path) -> None:
    (spec_dir / "copy.yaml").write_text(SPEC_TEXT, encoding="utf-8")
    code, out = invoke(
        "generate", "--target", "docs", "--spec-dir", str(spec_dir), "--out-dir", str(tmp_path)
    )
    assert code == 2
    assert "spec/copy.yaml" in out and "spec/querymt-extism-v1.yaml" in out


def test_validate_exit_statuses(spec_dir: Path, tmp_path: Path) -> None:
    spec = spec_dir / "querymt-extism-v1.yaml"
    assert invoke("validate", str(spec))[0] == 0
    code, out = invoke("validate", str(tmp_path / "absent.yaml"))
    assert code == 2 and "cannot read spec: No such file or directory" in out
    spec.write_text(SPEC_TEXT.replace("abi_version: 1", "abi_version: 0"), encoding="utf-8")
    assert invoke("validate", str(spec))[0] == 2


def test_inspect_exit_statuses_and_json_on_failure(tmp_path: Path) -> None:
    not_wasm = tmp_path / "x.wasm"
    not_wasm.write_text("hello")
    code, out = invoke("inspect", str(not_wasm), "--json")
    assert code == 1
    assert out.count("not a WebAssembly module") == 2  # once in the JSON, once on stderr
    report = json.loads(out[: out.rindex("}") + 1])
    assert report["compatible"] is False and "not a WebAssembly module" in report["error"]
    code, out = invoke("inspect", str(tmp_path / "absent.wasm"), "--json")
    assert code == 2
    assert json.loads(out[: out.rindex("}") + 1])["error"].startswith("cannot read")


def test_call_usage_errors(openai_wasm: Path, tmp_path: Path) -> None:
    for timeout in ("0", "-5"):
        code, out = invoke("call", str(openai_wasm), "name", "--timeout-ms", timeout)
        assert code == 2 and "--timeout-ms" in out
    code, out = invoke("call", str(openai_wasm), "name", "--memory-max-pages", "0")
    assert code == 2 and "--memory-max-pages" in out
    latin1 = tmp_path / "cfg.json"
    latin1.write_bytes(b'{"api_key": "caf\xe9"}')
    code, out = invoke("call", str(openai_wasm), "list_models", "--config", str(latin1))
    assert code == 2 and "is not UTF-8" in out
    code, out = invoke("call", str(openai_wasm), "list_models")
    assert code == 2 and "pass --config" in out
    code, out = invoke("call", str(tmp_path / "absent.wasm"), "name")
    assert code == 2 and "cannot read" in out
    latin1.write_text("not wasm")
    code, out = invoke("call", str(latin1), "name")
    assert code == 1 and out.count("not a WebAssembly module") == 1


def test_call_memory_limit_is_applied(openai_wasm: Path) -> None:
    code, out = invoke(
        "call", str(openai_wasm), "list_models", "--config", CFG, "--memory-max-pages", "1"
    )
    assert code == 1
    assert "out of memory" in out


def test_verify_usage_errors(tmp_path: Path) -> None:
    for timeout in ("0", "-5"):
        code, out = invoke("verify", str(tmp_path / "x.wasm"), "--timeout-ms", timeout)
        assert code == 2 and "--timeout-ms" in out
    latin1 = tmp_path / "cfg.json"
    latin1.write_bytes(b'{"api_key": "caf\xe9"}')
    code, out = invoke("verify", str(tmp_path / "x.wasm"), "--config", str(latin1))
    assert code == 2 and "is not UTF-8" in out
    code, out = invoke("verify", str(tmp_path / "absent.wasm"))
    assert code == 2 and "does not exist" in out


def test_a_file_as_out_dir_in_a_real_process(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("keep")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "generate", "--full", "--out-dir", str(a_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "is not a directory" in result.stderr


def test_an_input_larger_than_the_memory_limit_is_out_of_memory(
    openai_wasm: Path, tmp_path: Path
) -> None:
    big = tmp_path / "in.json"
    big.write_text(json.dumps({"inputs": ["x" * (8 << 20)]}))
    code, out = invoke(
        "call", str(openai_wasm), "embed", "--config", CFG, "--input", str(big),
        "--memory-max-pages", "40",
    )  # fmt: skip
    assert code == 1
    assert "PluginOutOfMemoryError" in out and "failed to allocate" not in out
