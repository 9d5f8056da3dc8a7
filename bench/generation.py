"""Generation: a full render and `--check` on an unchanged tree, against datamodel-codegen alone.

All three run as subprocesses, so each pays the same interpreter start-up and imports.

The baseline feeds the `datamodel-codegen` CLI the bundle the Python target hands to the
library (`generator.targets.python.dcg_input`: generated/schemas/querymt-extism-v1.json with
the `x-` annotations only our target uses stripped) with the target's main options. It
leaves out what only the in-process call can do (aliases, type overrides, base class), which
changes no timing of note.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import ROOT, SPEC_V1
from bench.budget import Budget
from bench.stats import Row, Section, Series, Target, interleave

DCG_OPTIONS = (
    "--input-file-type",
    "jsonschema",
    "--output-model-type",
    "pydantic_v2.BaseModel",
    "--disable-timestamp",
    "--keep-model-order",
    "--use-annotated",
    "--use-field-description",
    "--use-standard-collections",
    "--use-union-operator",
    "--field-constraints",
    "--strict-types",
    "str",
    "bool",
    "float",
    "--target-python-version",
    "3.11",
    "--formatters",
    "builtin",
)


def _timed(argv: list[str], expect: str | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr}")
    if expect is not None and expect not in result.stdout:
        raise RuntimeError(f"{' '.join(argv)}: expected {expect!r} in:\n{result.stdout}")
    return elapsed


def _dcg_executable() -> str:
    beside = Path(sys.executable).with_name("datamodel-codegen")
    return str(beside) if beside.exists() else "datamodel-codegen"


def _forget_cache_entry(out_dir: Path) -> None:
    """Removes the fingerprint cache entry a temporary output directory left in build/."""
    from generator import fingerprint

    fingerprint._entry(out_dir).unlink(missing_ok=True)


def run(budget: Budget) -> Section:
    from generator.loader import load_spec
    from generator.targets.python import dcg_input

    generate = [sys.executable, "-m", "generator", "generate"]
    with tempfile.TemporaryDirectory(prefix="qmt-bench-gen-") as tmp:
        work = Path(tmp)
        dcg_in = work / "dcg-input.json"
        dcg_in.write_text(json.dumps(dcg_input(load_spec(SPEC_V1))), encoding="utf-8")
        dcg_argv = [_dcg_executable(), "--input", str(dcg_in), *DCG_OPTIONS]
        dcg_argv += ["--output", str(work / "models.py")]

        warm = work / "warm"  # generated once: the cache says it is the last render
        _timed([*generate, "--full", "--out-dir", str(warm)])
        fresh_dirs: list[Path] = []

        def full() -> float:
            out = work / f"full-{len(fresh_dirs)}"
            fresh_dirs.append(out)
            return _timed([*generate, "--full", "--out-dir", str(out)])

        def check() -> float:
            return _timed([*generate, "--check", "--out-dir", str(warm)], expect="up to date")

        try:
            samples = interleave(
                {"dcg": lambda: _timed(dcg_argv), "full": full, "check": check},
                budget.generation_rounds,
            )
        finally:
            for out in [warm, *fresh_dirs]:
                _forget_cache_entry(out)
                shutil.rmtree(out, ignore_errors=True)

    dcg = Series("datamodel-codegen CLI alone", "s", tuple(samples["dcg"]))
    full_series = Series("generate --full (fresh dir)", "s", tuple(samples["full"]))
    check_series = Series("generate --check (unchanged, warm cache)", "s", tuple(samples["check"]))
    return Section(
        "generation",
        "Generation (subprocesses, wall time)",
        (
            Row(full_series, dcg),
            Row(
                check_series,
                dcg,
                Target("< 1/3 of full generate", 1 / 3, "<", basis=full_series),
            ),
        ),
        notes=("Every run is a fresh interpreter: start-up and imports are in all three figures.",),
    )
