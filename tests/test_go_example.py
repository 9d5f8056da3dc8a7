"""examples/openai-compatible-go against examples/openai-compatible-v2 under `verify`.

The round trips through QueryMT's host (tests/test_v2_raw_sdk.py) and the Python runtime
(tests/test_open_plugin.py) run against both examples already; here `qmt-abigen verify` runs
every conformance check of the v2 spec against both, and the Go example must get the same
verdict as the Rust one on every (check, export) row: what the Rust provider passes, the Go
one passes too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "querymt-extism-v2.yaml"


def _verify(wasm: Path, report: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'generated' / 'python'}{os.pathsep}{ROOT}"}
    command = [sys.executable, "-m", "generator", "verify", "--spec", str(SPEC)]
    result = subprocess.run(
        [*command, "--config", '{"model": "m"}', "--json", str(report), str(wasm)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert report.exists(), result.stderr[-3000:]
    document: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return document


def test_verify_gives_the_go_example_the_rust_examples_verdict_on_every_check(
    built_examples: dict[str, Path], tmp_path: Path
) -> None:
    rust = _verify(built_examples["openai-compatible-v2"], tmp_path / "rust.json")
    go = _verify(built_examples["openai-compatible-go"], tmp_path / "go.json")

    def rows(report: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [(c["check"], c["export"], c["status"]) for c in report["checks"]]

    assert len(rows(rust)) > 100
    assert rows(go) == rows(rust)
    assert go["name"] == rust["name"] == "openai-compatible"
    passed = {(check, export) for check, export, status in rows(go) if status == "PASS"}
    assert len(passed) >= 100


def test_the_go_example_is_gofmt_and_vet_clean() -> None:
    from generator.gotool import go_binary, gofmt_binary, wasm_env

    example = ROOT / "examples" / "openai-compatible-go"
    listed = subprocess.run(
        [gofmt_binary(), "-l", "."], cwd=example, capture_output=True, text=True, check=True
    )
    assert listed.stdout == ""
    vet = subprocess.run(
        [go_binary(), "vet", "."], cwd=example, env=wasm_env(), capture_output=True, text=True
    )
    assert vet.returncode == 0, vet.stderr
