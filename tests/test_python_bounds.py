"""Bounded time against hostile modules: nothing a plugin runs escapes the timeout (not its
start function, not its initializer), and one instance's timeout never fails another's call.

Every module here is assembled byte by byte (tests/plugins/wasm_builder.py). No test is timed:
a bound is asserted as "returned at all" (with a generous guard) or by counting outcomes."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import querymt_extism_runtime as runtime
import querymt_extism_v1 as bindings
from bounded import returns
from typer.testing import CliRunner
from wasm_builder import Alloc, Echo, Loop, Output, Step, Trap, build_module

from generator.cli import app

errors = bindings.errors

SCHEMA = json.dumps({"type": "object", "properties": {"api_key": {"type": "string"}}}).encode()


def module(*, start: list[Step] | None = None, **overrides: list[Step]) -> bytes:
    exports: dict[str, list[Step]] = {
        "name": [Output(b"Hostile")],
        "config_schema": [Output(SCHEMA)],
        "from_config": [Echo()],
        "list_models": [Echo()],
        "chat": [Loop()],
        "embed": [Trap()],
        "complete": [Echo()],
    }
    exports.update(overrides)
    return build_module(exports, start=start)


# --------------------------------------------------------------------------- instantiation


@pytest.mark.parametrize(
    "wasm, what",
    [
        (module(start=[Loop()]), "start function"),
        (module(_initialize=[Loop()]), "_initialize"),
        (module(__wasm_call_ctors=[Loop()]), "__wasm_call_ctors"),
    ],
    ids=["start", "_initialize", "__wasm_call_ctors"],
)
def test_a_looping_initializer_times_out_open(wasm: bytes, what: str) -> None:
    with pytest.raises(errors.PluginTimeoutError) as caught:
        returns(lambda: bindings.Plugin.open(wasm, {"api_key": "k"}, timeout_ms=200))
    assert caught.value.export == what
    assert "opening the plugin timed out" in str(caught.value)


def test_the_module_extism_gets_runs_nothing_at_instantiation() -> None:
    """Why the rewrite exists: the module Extism gets has no start section any more, and its
    initializer is exported under a reserved name the host calls with the timeout."""
    wasm = module(start=[Loop()], _initialize=[Alloc(8)])
    prepared = runtime.prepare_module(wasm)
    header = runtime.read_wasm_header(prepared.wasm)
    assert [what for _, what in prepared.init] == ["start function", "_initialize"]
    assert "_initialize" not in header.function_exports
    assert {runtime.START_EXPORT, runtime.INIT_EXPORT} <= header.function_exports
    assert all(s.id != 8 for s in runtime.wasm._sections(prepared.wasm))
    assert runtime.prepare_module(module()).wasm == module()  # nothing to move: unchanged


def test_a_trapping_initializer_fails_open_typed() -> None:
    with pytest.raises(errors.PluginLoadError) as caught:
        bindings.Plugin.open(module(start=[Trap()]), {"api_key": "k"})
    assert "start function" in str(caught.value) and "trapped" in str(caught.value)


def test_a_benign_initializer_still_runs_before_every_instance() -> None:
    wasm = module(start=[Alloc(16)], _initialize=[Alloc(16)])
    with bindings.Plugin.open(wasm, {"api_key": "k"}) as plugin:
        assert plugin.info.name == "Hostile"
        assert plugin.list_models(["a"]) == ["a"]
        with pytest.raises(errors.PluginTrapError):
            plugin.embed(["x"])  # the trapped instance is dropped; a new one is initialized
        assert plugin.list_models(["b"]) == ["b"]


def test_hs_init_is_refused_rather_than_run_unbounded() -> None:
    with pytest.raises(errors.PluginLoadError, match="hs_init"):
        bindings.Plugin.open(module(hs_init=[Output(b"")]), {"api_key": "k"})


def test_inspect_and_verify_are_bounded(tmp_path: Path) -> None:
    runner = CliRunner()
    looping_name = tmp_path / "name.wasm"
    looping_name.write_bytes(module(name=[Loop()]))
    result = returns(
        lambda: runner.invoke(app, ["inspect", str(looping_name), "--timeout-ms", "200"])
    )
    assert result.exit_code == 1
    assert "PluginTimeoutError" in result.output and "name: timed out" in result.output
    looping_start = tmp_path / "start.wasm"
    looping_start.write_bytes(module(start=[Loop()]))
    result = returns(
        lambda: runner.invoke(app, ["inspect", str(looping_start), "--timeout-ms", "200"])
    )
    assert result.exit_code == 1 and "start function" in result.output
    result = returns(
        lambda: runner.invoke(app, ["verify", str(looping_start), "--timeout-ms", "200"])
    )
    assert result.exit_code == 1
    assert "cannot be loaded" in result.output and "timed out" in result.output


# --------------------------------------------------------------------------- no leaking timeouts

THREADS = 8
LOOPERS = 2
LOOPS = 3
PAYLOAD = 20_000  # an echo of this size runs ~1 ms in wasm: other threads are mid-call


def test_mixed_failures_on_threads_give_no_wrong_answer_and_no_spurious_timeout() -> None:
    """8 threads share one plugin: 2 make calls that loop (and time out), 6 make calls that
    trap (every 9th) or echo 20 KB, until the loopers are done.

    Before, a timeout advanced the epoch of the engine that every instance of the compiled
    module shared, and failed whatever calls were running on other threads at that moment.
    """
    plugin = bindings.Plugin.open(module(), {"api_key": "k"}, timeout_ms=300)
    outcomes: Counter[str] = Counter()
    wrong: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)
    loopers_done = threading.Semaphore(0)
    finished = threading.Event()

    def call(expected: str, t: int, i: int) -> None:
        payload = [f"t{t}-c{i}", "x" * (PAYLOAD - i % 100)]
        try:
            if expected == "timeout":
                plugin.chat([])
                got = "no error"
            elif expected == "trap":
                plugin.embed(["x"])
                got = "no error"
            else:
                got = "echo" if plugin.list_models(payload) == payload else "wrong output"
        except errors.PluginTimeoutError:
            got = "timeout"
        except errors.PluginTrapError:
            got = "trap"
        except Exception as exc:  # counted as a wrong answer
            got = f"{type(exc).__name__}: {exc}"
        with lock:
            outcomes[got] += 1
            if got != expected:
                wrong.append(f"t{t} call {i}: expected {expected}, got {got}")

    def run(t: int) -> None:
        barrier.wait()
        if t < LOOPERS:
            for i in range(LOOPS):
                call("timeout", t, i)
            loopers_done.release()
            return
        i = 0
        while not finished.is_set():
            call("trap" if i % 9 == 4 else "echo", t, i)
            i += 1

    def stop_when_looped() -> None:
        for _ in range(LOOPERS):
            loopers_done.acquire()
        finished.set()

    returns(lambda: _run_threads(run, stop_when_looped))
    spurious = [w for w in wrong if w.endswith("got timeout")]
    assert spurious == [], f"{len(spurious)} spurious timeouts, e.g. {spurious[:3]}"
    assert wrong == [], f"{len(wrong)} wrong answers, e.g. {wrong[:3]}"
    assert outcomes["timeout"] == LOOPERS * LOOPS
    assert outcomes["trap"] > 0 and outcomes["echo"] > outcomes["trap"]


def _run_threads(run: Callable[[int], None], also: Callable[[], None]) -> None:
    workers = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    workers.append(threading.Thread(target=also))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def test_a_timeout_in_one_open_never_fails_another_open_of_the_same_bytes() -> None:
    wasm = module()
    looping = bindings.Plugin.open(wasm, {"api_key": "a"}, timeout_ms=300)
    busy = bindings.Plugin.open(wasm, {"api_key": "b"}, timeout_ms=300)
    done = threading.Event()
    failures: list[str] = []
    calls = 0

    def loop() -> None:
        try:
            for _ in range(LOOPS):
                with pytest.raises(errors.PluginTimeoutError):
                    looping.chat([])
        finally:
            done.set()

    def hammer() -> None:
        nonlocal calls  # a racy count: only "more than none" is asserted
        payload = ["y" * PAYLOAD]
        while not done.is_set():
            try:
                if busy.list_models(payload) != payload:
                    failures.append("wrong output")
            except errors.PluginError as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
            calls += 1

    def both() -> None:
        threads = [threading.Thread(target=loop)]
        threads += [threading.Thread(target=hammer) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    returns(both)
    assert calls > 0
    assert failures == []


def test_an_instance_whose_call_ended_at_its_limit_is_not_reused() -> None:
    """Extism's timer may still fire for a call that ended just in time: that instance and its
    compiled module (whose engine the late tick would hit) are dropped, not pooled."""
    from time import perf_counter

    compiled = runtime.compile_module(
        module(),
        wasi=False,
        config={"qmt-test": "near-limit"},
        timeout_ms=1000,
        max_pages=None,
    )
    pool = runtime.InstancePool(compiled, max_idle=4)
    policy = runtime.HttpPolicy(runtime.AllowList(), timeout_ms=1000, max_response_bytes=None)

    def new_state(what: str) -> Any:
        return runtime.CallState(what, policy, str)

    late = pool.acquire(new_state)
    engine = late._compiled
    pool.release(late, perf_counter() - 0.99)  # as if the call had taken 990 ms of 1000
    assert late.plugin is None and pool._idle == []
    assert all(c is not engine for c in runtime.COMPILED._entries.get(compiled.key, []))
    early = pool.acquire(new_state)
    pool.release(early, perf_counter())
    assert pool._idle == [early]
    pool.close()


# --------------------------------------------------------------------------- output size


def test_an_output_over_max_output_bytes_fails_before_it_is_decoded() -> None:
    models = json.dumps(["m"] * 2000).encode()
    wasm = module(list_models=[Output(models)])
    size = len(models)
    with bindings.Plugin.open(wasm, {"api_key": "k"}, max_output_bytes=size - 1) as plugin:
        with pytest.raises(errors.OutputValidationError) as caught:
            plugin.list_models()
        assert caught.value.export == "list_models"
        assert str(caught.value) == (
            f"list_models: the output ({size:,} bytes) is larger than "
            f"max_output_bytes ({size - 1:,})"
        )
        assert plugin.from_config() == {"api_key": "k"}  # the instance goes on
    with bindings.Plugin.open(wasm, {"api_key": "k"}, max_output_bytes=size) as plugin:
        assert plugin.list_models() == ["m"] * 2000
    with bindings.Plugin.open(wasm, {"api_key": "k"}) as plugin:  # the default is 16 MiB
        assert runtime.DEFAULT_MAX_OUTPUT_BYTES == 16 * 1024 * 1024
        assert len(plugin.list_models()) == 2000
