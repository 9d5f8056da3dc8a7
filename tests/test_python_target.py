"""The Python target itself: deterministic output that matches generated/, importable, and
clean under `ruff check` and `mypy --strict`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.formatting import format_text
from generator.loader import load_spec
from generator.targets import python as target

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_spec(ROOT / "spec" / "querymt-extism-v1.yaml")
PACKAGE = ROOT / "generated" / "python" / target.package_name(SPEC)


def test_render_is_deterministic_and_matches_generated() -> None:
    first = target.render(SPEC)
    assert first == target.render(SPEC)
    assert "python/querymt_extism_v1/py.typed" in first
    for path, text in first.items():
        on_disk = ROOT / "generated" / path
        assert on_disk.read_text(encoding="utf-8") == format_text(
            path, text
        ), f"generated/{path} is stale: run `qmt-abigen generate`"


def test_one_method_per_export() -> None:
    import querymt_extism_v1

    for export in SPEC.exports:
        assert callable(getattr(querymt_extism_v1.Plugin, target.python_ident(export.name)))


def test_generated_package_passes_ruff_and_mypy_strict() -> None:
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(PACKAGE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(ROOT / "build" / "mypy-cache"),
            str(PACKAGE),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
