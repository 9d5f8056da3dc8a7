"""Opening a plugin with the bindings (`Plugin.open(bytes, config)`: probe, config check,
`from_config`) against a bare `extism.Plugin(bytes, wasi=True)`.

- first open: each in a fresh interpreter, so nothing of this process is warm; wasmtime's
  on-disk compilation cache is, as it is for any second run of an application.
- cached open: the same bytes opened again in this process.
"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from bench import ROOT
from bench.budget import Budget
from bench.plugins import BASE_URL, bindings, extism_sdk, wasm_bytes
from bench.stats import Row, Section, Series, Target, interleave


def _first_open_us(mode: str) -> float:
    result = subprocess.run(
        [sys.executable, "-m", "bench._first_open", mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench._first_open {mode} failed:\n{result.stderr}")
    return float(result.stdout.strip().splitlines()[-1])


def run(budget: Budget) -> Section:
    first = interleave(
        {"bare": lambda: _first_open_us("bare"), "bindings": lambda: _first_open_us("bindings")},
        budget.first_open_rounds,
    )
    extism = extism_sdk()
    package = bindings()
    data = wasm_bytes()
    config = {"api_key": "sk-bench", "base_url": BASE_URL}

    def bare() -> float:
        start = time.perf_counter_ns()
        plugin: Any = extism.Plugin(data, wasi=True)
        elapsed = time.perf_counter_ns() - start
        del plugin
        return elapsed / 1000

    def typed() -> float:
        start = time.perf_counter_ns()
        plugin: Any = package.Plugin.open(data, config)
        elapsed = time.perf_counter_ns() - start
        plugin.close()
        return elapsed / 1000

    for warm_up in (bare, typed, bare, typed):
        warm_up()
    cached = interleave({"bare": bare, "bindings": typed}, budget.cached_open_rounds)
    return Section(
        "opening",
        "Opening a plugin (openai-compatible.wasm, with a config)",
        (
            Row(
                Series("Plugin.open, first in process", "us", tuple(first["bindings"])),
                Series("bare extism.Plugin, first in process", "us", tuple(first["bare"])),
            ),
            Row(
                Series("Plugin.open, cached (same bytes again)", "us", tuple(cached["bindings"])),
                Series("bare extism.Plugin, again", "us", tuple(cached["bare"])),
                Target("<= 2x bare Plugin", 2.0, "<="),
            ),
        ),
        notes=(
            "Plugin.open does what the spec's host does: a probe instance answers name, "
            "base_url and config_schema, the config is checked against that schema, and the "
            "final instance's from_config accepts it.",
            "A first open compiles the module once (2-4 ms in the SDK even from wasmtime's "
            "on-disk cache, after renaming its HTTP, error and log imports to the host's own "
            "functions); the probe and the final instances share it, and opening the same bytes "
            "again reuses it.",
        ),
    )
