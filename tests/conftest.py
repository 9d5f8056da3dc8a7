"""Shared fixtures: the v1 spec, the generated Python bindings, the built example plugins, the
loopback server, and small scripted wasm modules for faults the examples cannot produce.

`generated/python` is put on `sys.path`, which is how a consumer imports the bindings too
(`PYTHONPATH=generated/python`, then `import querymt_extism_v1`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATED_PYTHON = ROOT / "generated" / "python"
EXAMPLES_OUT = ROOT / "build" / "examples"
SPEC_V1 = ROOT / "spec" / "querymt-extism-v1.yaml"

sys.path.insert(0, str(GENERATED_PYTHON))
sys.path.insert(0, str(Path(__file__).resolve().parent / "plugins"))

from generator.conformance.loopback_server import LoopbackServer  # noqa: E402


@pytest.fixture(scope="session")
def spec_v1():  # type: ignore[no-untyped-def]
    from generator.loader import load_spec

    return load_spec(SPEC_V1)


@pytest.fixture(scope="session")
def example_wasms() -> list[Path]:
    """Every built example plugin; builds them once per session (the build is incremental)."""
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
    wasms = sorted(EXAMPLES_OUT.glob("*.wasm"))
    if not wasms:
        pytest.fail("no example plugin under build/examples/")
    return wasms


@pytest.fixture(scope="session")
def openai_wasm(example_wasms: list[Path]) -> Path:
    """The OpenAI-compatible example: the plugin whose answers the tests know exactly."""
    for wasm in example_wasms:
        if wasm.stem.startswith("openai"):
            return wasm
    pytest.fail("build/examples/openai-compatible.wasm was not built")


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
