"""`make bench`: how fast generation, typed calls, opening and threaded calls are, as ratios.

Every figure is the median of repeated runs and is reported as a ratio against a baseline
measured in the same run (datamodel-code-generator alone, a raw `extism.Plugin.call`, a bare
`extism.Plugin(bytes)`, one thread), so a noisy or slower machine moves both sides together.
Raw medians are kept in the JSON file too. Run `python -m bench --help`.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED_PYTHON = ROOT / "generated" / "python"
SPEC_V1 = ROOT / "spec" / "querymt-extism-v1.yaml"
EXAMPLE_WASM = ROOT / "build" / "examples" / "openai-compatible.wasm"
DEFAULT_OUTPUT = ROOT / "build" / "bench" / "results.json"
