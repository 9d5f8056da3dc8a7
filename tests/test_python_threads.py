"""One plugin object shared by threads: no wrong result, ever, and throughput that scales.

A single `extism.Plugin` used by two threads at once silently returns other calls' outputs;
the bindings hand each call its own instance from a pool made from one compiled module."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import querymt_extism_v1 as bindings
from wasm_builder import Echo, Output, build_module

from generator.conformance.loopback_server import LoopbackServer

SCHEMA = b'{"type":"object","properties":{"api_key":{"type":"string"}}}'
ECHO = build_module(
    {
        "name": [Output(b"Echo")],
        "config_schema": [Output(SCHEMA)],
        "from_config": [Echo()],
        "list_models": [Echo()],
        "chat": [Echo()],
        "embed": [Echo()],
        "complete": [Echo()],
    }
)


def hammer(threads: int, calls: int, work: Any) -> tuple[list[str], float]:
    wrong: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def run(t: int) -> None:
        barrier.wait()
        for i in range(calls):
            try:
                problem = work(t, i)
            except Exception as exc:  # a failed call is a wrong result too
                problem = f"{t}/{i}: {type(exc).__name__}: {exc}"
            if problem:
                with lock:
                    wrong.append(problem)

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return wrong, time.perf_counter() - start


def test_four_threads_thousands_of_calls_zero_wrong() -> None:
    plugin = bindings.Plugin.open(ECHO, {"api_key": "k"})

    def work(t: int, i: int) -> str | None:
        payload = f'["thread {t} call {i}", {"x" * (i % 50)!r}]'.encode()
        out = plugin.call_raw("list_models", payload)
        return None if out == payload else f"{t}/{i}: {out[:40]!r}"

    plugin.list_models(["warm"])
    single_wrong, single = hammer(1, 2000, work)
    wrong, elapsed = hammer(4, 2500, work)
    assert single_wrong == []
    assert wrong == [], f"{len(wrong)} wrong results, e.g. {wrong[:3]}"
    per_call_1 = single / 2000 * 1e6
    per_call_4 = elapsed / 10000 * 1e6
    print(
        f"\necho call: 1 thread {per_call_1:.1f} us/call; 4 threads {per_call_4:.1f} us/call "
        f"aggregate ({plugin._pool.created} instances made)"
    )
    assert plugin._pool.created <= 8


def test_typed_calls_on_the_example_from_threads(
    openai_wasm: Path, loopback: LoopbackServer
) -> None:
    plugin = bindings.Plugin.open(openai_wasm, {"api_key": "sk-t", "base_url": loopback.base_url})

    def work(t: int, i: int) -> str | None:
        name = f"model-{t}-{i}"
        bound = plugin.with_config(
            {"api_key": "sk-t", "base_url": loopback.base_url, "model_name": name}, check=False
        )
        out = bound.from_config()
        if out.get("model_name") != name:
            return f"{name}: {out.get('model_name')}"
        if i % 10 == 0:
            vectors = bound.embed([name])
            from generator.conformance.loopback_server import embedding_of

            if vectors != [embedding_of(name)]:
                return f"{name}: embed {vectors}"
        return None

    wrong, elapsed = hammer(4, 250, work)
    assert wrong == [], wrong[:3]
    print(f"\nexample plugin: 1000 typed calls (+100 HTTP) on 4 threads in {elapsed * 1000:.0f} ms")
