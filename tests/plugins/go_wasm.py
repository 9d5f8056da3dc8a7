"""Builds a Go test plugin to a WASI reactor module the way scripts/build-examples.sh builds the
Go example: the pinned toolchain, offline, `-buildmode=c-shared`, into build/go-wasm/.

`go vet` runs first (for GOOS=wasip1, so the wasm-only files are vetted too) and `gofmt -l`
must list nothing: a test plugin is held to the same bar as the generated module.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from generator.gotool import go_binary, gofmt_binary, wasm_env

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "build" / "go-wasm"


def build_go_wasm(module: Path) -> tuple[bytes, float]:
    """The .wasm of the Go main package at `module` and the build's wall time in seconds."""
    env = wasm_env()
    unformatted = subprocess.run(
        [gofmt_binary(), "-l", "."], cwd=module, capture_output=True, text=True, check=True
    ).stdout
    assert unformatted == "", f"not gofmt-clean: {unformatted}"
    vet = subprocess.run(
        [go_binary(), "vet", "."], cwd=module, env=env, capture_output=True, text=True, check=False
    )
    assert vet.returncode == 0, vet.stderr[-6000:]
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"{module.name}.wasm"
    start = time.monotonic()
    build = [go_binary(), "build", "-buildmode=c-shared", "-trimpath", "-ldflags=-s -w"]
    result = subprocess.run(
        [*build, "-o", str(out), "."],
        cwd=module, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - start
    assert result.returncode == 0, result.stderr[-6000:]
    return out.read_bytes(), seconds
