"""Shared fixtures: the v1 spec, the generated Python bindings, the built example plugins, the
loopback server, and small scripted wasm modules for faults the examples cannot produce.

`generated/python` is put on `sys.path`, which is how a consumer imports the bindings too
(`PYTHONPATH=generated/python`, then `import querymt_extism_v1`).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATED_PYTHON = ROOT / "generated" / "python"
EXAMPLES = ROOT / "examples"
EXAMPLES_OUT = ROOT / "build" / "examples"
SPEC_V1 = ROOT / "spec" / "querymt-extism-v1.yaml"

sys.path.insert(0, str(GENERATED_PYTHON))
sys.path.insert(0, str(Path(__file__).resolve().parent / "plugins"))

from generator.conformance.loopback_server import LoopbackServer  # noqa: E402
from generator.gotool import GoToolchainError, go_binary  # noqa: E402

# scripts/build-examples.sh, wherever a test runs it, builds the Go example with the toolchain
# this Python's environment has (the dev extras'); without one it says so itself.
with contextlib.suppress(GoToolchainError):
    os.environ.setdefault("GO", go_binary())


@pytest.fixture(scope="session")
def spec_v1():  # type: ignore[no-untyped-def]
    from generator.loader import load_spec

    return load_spec(SPEC_V1)


def example_abi(example: Path) -> str:
    """The ABI slug an example is built against: the generated crate its Cargo.toml names (or,
    for a Go example, the generated module its go.mod replaces)."""
    if not (example / "Cargo.toml").exists():
        for line in (example / "go.mod").read_text().splitlines():
            if "generated/go/" in line:
                return line.split("generated/go/", 1)[1].strip().strip("/")
        raise AssertionError(f"{example}/go.mod uses no generated module")
    for line in (example / "Cargo.toml").read_text().splitlines():
        if "generated/rust/" in line:
            return line.split("generated/rust/", 1)[1].split('"', 1)[0].strip("/")
    raise AssertionError(f"{example}/Cargo.toml depends on no generated crate")


@pytest.fixture(scope="session")
def built_examples() -> dict[str, Path]:
    """Every built example plugin by name; builds them once per session (incrementally)."""
    if os.environ.get("QMT_SKIP_EXAMPLE_BUILD") != "1":
        result = subprocess.run(
            ["bash", "scripts/build-examples.sh"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"scripts/build-examples.sh failed:\n{result.stderr[-3000:]}")
    built = {wasm.stem: wasm for wasm in sorted(EXAMPLES_OUT.glob("*.wasm"))}
    if not built:
        pytest.fail("no example plugin under build/examples/")
    return built


@pytest.fixture(scope="session")
def example_wasms(built_examples: dict[str, Path]) -> list[Path]:
    """The built example plugins of ABI v1 (the ones the v1 bindings drive)."""
    return [
        wasm
        for name, wasm in built_examples.items()
        if (EXAMPLES / name).is_dir() and example_abi(EXAMPLES / name) == "querymt-extism-v1"
    ]


@pytest.fixture(scope="session")
def openai_wasm(example_wasms: list[Path]) -> Path:
    """The OpenAI-compatible example: the plugin whose answers the tests know exactly."""
    for wasm in example_wasms:
        if wasm.stem == "openai-compatible":
            return wasm
    pytest.fail("build/examples/openai-compatible.wasm was not built")


@pytest.fixture(scope="session", params=["openai-compatible-v2", "openai-compatible-go"])
def v2_example_wasm(request: pytest.FixtureRequest, built_examples: dict[str, Path]) -> Path:
    """Each ABI v2 example: examples/openai-compatible-v2 (Rust) and the same provider in Go,
    examples/openai-compatible-go; a test that takes this runs against both."""
    wasm = built_examples.get(request.param)
    if wasm is None:
        pytest.fail(f"build/examples/{request.param}.wasm was not built")
    return wasm


@pytest.fixture(scope="session")
def _server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def loopback(_server: LoopbackServer) -> Iterator[LoopbackServer]:
    """The session's loopback server, with no faults and no recorded requests."""
    _server.reset()
    yield _server
    _server.reset()
