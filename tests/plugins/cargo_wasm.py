"""Builds a test plugin crate to wasm32-wasi the way scripts/build-examples.sh builds the
examples: offline, with Debian's rustc and packaged crates, cargo's state under build/.

Test crates are built with `-D warnings`, in a target directory of their own so that the
examples' (differently flagged) build is not invalidated.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
BUILD = ROOT / "build"
TOOLCHAIN = Path(os.environ.get("RUST_TOOLCHAIN_BIN", "/usr/bin"))
REGISTRY = os.environ.get("CARGO_REGISTRY_DIR", "/usr/share/cargo/registry")
HOME = BUILD / "cargo-home-tests"
TARGET_DIR = BUILD / "cargo-target-tests"


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def build_wasm(crate: Path, features: Sequence[str] = ()) -> tuple[bytes, str]:
    """The release .wasm of the cdylib crate at `crate` (with these cargo features), and
    cargo's stderr.

    Fails the calling test (AssertionError) if cargo fails or prints a warning.
    """
    _write_if_changed(
        HOME / "config.toml",
        '[source.crates-io]\nreplace-with = "debian"\n\n'
        f'[source.debian]\ndirectory = "{REGISTRY}"\n\n[net]\noffline = true\n',
    )
    env = {
        **os.environ,
        "CARGO_HOME": str(HOME),
        "CARGO_TARGET_DIR": str(TARGET_DIR),
        "RUSTC": str(TOOLCHAIN / "rustc"),
        "RUSTFLAGS": "-D warnings",
    }
    had_lock = (crate / "Cargo.lock").exists()
    try:
        cargo = [str(TOOLCHAIN / "cargo"), "build", "--release", "--offline"]
        if features:
            cargo += ["--features", ",".join(features)]
        result = subprocess.run(
            [*cargo, "--target", "wasm32-wasi"],
            cwd=crate, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        if not had_lock:
            (crate / "Cargo.lock").unlink(missing_ok=True)
    assert result.returncode == 0, result.stderr[-6000:]
    assert "warning" not in result.stderr, result.stderr[-6000:]
    package = next(
        line.split('"')[1]
        for line in (crate / "Cargo.toml").read_text(encoding="utf-8").splitlines()
        if line.startswith("name")
    )
    artifact = TARGET_DIR / "wasm32-wasi" / "release" / f"{package.replace('-', '_')}.wasm"
    return artifact.read_bytes(), result.stderr
