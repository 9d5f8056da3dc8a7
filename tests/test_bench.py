"""`python -m bench --quick` runs end to end and writes every section (speed is not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("generation", "typed_call", "opening", "throughput", "v2_host", "go_guest")


def _positive(value: object, where: str) -> None:
    assert isinstance(value, int | float) and not isinstance(value, bool), where
    assert value > 0, where


def test_quick_bench_writes_every_section(tmp_path: Path, openai_wasm: Path) -> None:
    output = tmp_path / "results.json"
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"python -m bench --quick failed:\n{result.stdout}\n{result.stderr}")
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["meta"]["quick"] is True
    assert set(SECTIONS) <= set(document["sections"])
    for key in SECTIONS:
        rows = document["sections"][key]["rows"]
        assert rows, key
        for row in rows:
            where = f"{key}/{row['name']}"
            _positive(row["ratio"], where)
            for side in ("subject", "baseline"):
                _positive(row[side]["median"], f"{where} {side}")
                assert row[side]["samples"], f"{where} {side}"
                for sample in row[side]["samples"]:
                    _positive(sample, f"{where} {side} sample")
            if "target" in row:
                _positive(row["target"]["ratio"], f"{where} target")
                assert row["target"]["verdict"] in ("PASS", "MISS"), where
    targets = [
        row["name"]
        for key in SECTIONS
        for row in document["sections"][key]["rows"]
        if "target" in row
    ]
    assert len(targets) == 6
    assert document["markdown"].startswith("| measurement |")
    assert "PASS" in result.stdout or "MISS" in result.stdout
