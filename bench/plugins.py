"""The subjects: the generated bindings and the bare Extism SDK, on build/examples' plugin."""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

from bench import EXAMPLE_WASM, GENERATED_PYTHON


def bindings() -> Any:
    """The generated `querymt_extism_v1` package (imported from generated/python)."""
    if str(GENERATED_PYTHON) not in sys.path:
        sys.path.insert(0, str(GENERATED_PYTHON))
    return importlib.import_module("querymt_extism_v1")


def extism_sdk() -> Any:
    return importlib.import_module("extism")


def wasm_bytes() -> bytes:
    if not EXAMPLE_WASM.exists():
        raise SystemExit(f"{EXAMPLE_WASM} is missing: run `bash scripts/build-examples.sh`")
    return EXAMPLE_WASM.read_bytes()


BASE_URL = "http://127.0.0.1:9/v1"  # never contacted: from_config makes no request


def config_of_size(size: int) -> dict[str, str]:
    """A configuration whose compact JSON is `size` bytes, padded in `model_name`."""
    config = {"api_key": "sk-bench", "model_name": "", "base_url": BASE_URL}
    config["model_name"] = "m" * max(1, size - len(wire(config)))
    return config


def wire(value: Any) -> bytes:
    """The bytes the bindings send for a JSON value (compact, UTF-8)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
