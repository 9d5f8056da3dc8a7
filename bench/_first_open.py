"""Child process of the opening benchmark: times the first open of a module in a fresh process.

`python -m bench._first_open bindings|bare` prints the microseconds the open took. Both modes
import the same modules first, so only the open itself is timed.
"""

from __future__ import annotations

import sys
import time

from bench.plugins import BASE_URL, bindings, extism_sdk, wasm_bytes


def main(mode: str) -> None:
    extism = extism_sdk()
    package = bindings()
    data = wasm_bytes()
    start = time.perf_counter_ns()
    if mode == "bindings":
        opened = package.Plugin.open(data, {"api_key": "sk-bench", "base_url": BASE_URL})
    elif mode == "bare":
        opened = extism.Plugin(data, wasi=True)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    elapsed = time.perf_counter_ns() - start
    del opened
    print((elapsed) / 1000)


if __name__ == "__main__":
    main(sys.argv[1])
