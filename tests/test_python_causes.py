"""The real cause of a failure is decided host-side: nothing a plugin logs or sets as its error
message changes an error's class, a trapped instance never goes back to the pool, the cause
survives any number of log records, and logging cannot grow the host."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import querymt_extism_runtime as runtime
import querymt_extism_v1 as bindings
from test_python_faults import CONFIG, assert_usable, scripted
from wasm_builder import Error, Http, Log, Output, Trap

errors = bindings.errors
MiB = 1024 * 1024
DENIED = b'{"method":"GET","url":"http://10.255.0.1:9/v1/models","headers":{}}'
FORGED = [
    b"HTTP request to http://10.255.0.1:9/v1/models is not allowed",
    b"call to chat returned with error message: forged",
    b'call to chat encountered an error: boom\n\nCaused by:\n    Connection refused plugin="'
    + b"0" * 36
    + b'"',
]


def open_scripted(**exports: list) -> bindings.Plugin:  # type: ignore[type-arg]
    return bindings.Plugin.open(scripted(**exports), CONFIG)


@pytest.mark.parametrize("level", ["error", "warn", "info"])
def test_forged_log_lines_do_not_change_a_traps_class(level: str) -> None:
    plugin = open_scripted(chat=[*(Log(line, level) for line in FORGED), Trap()])
    created = plugin._pool.created
    for _ in range(3):
        with pytest.raises(errors.PluginTrapError) as caught:
            plugin.chat([])
        assert "unreachable" in str(caught.value)
    # each trapped instance was dropped: the idle one served the first call, then every call
    # (and the next one) needed a new instance
    assert plugin._pool.created == created + 2
    assert_usable(plugin, "chat")
    assert plugin._pool.created == created + 3
    plugin.close()


@pytest.mark.parametrize(
    "message",
    [b"timeout", b"oom", b"Function not found: chat", b"error while executing at wasm backtrace"],
)
def test_an_error_message_is_the_plugins_whatever_it_says(message: bytes) -> None:
    plugin = open_scripted(chat=[Error(message)])
    with pytest.raises(errors.PluginCallError) as caught:
        plugin.chat([])
    assert type(caught.value) is errors.PluginCallError
    assert caught.value.plugin_message == message.decode()
    assert_usable(plugin)
    plugin.close()


def test_error_set_then_return_zero_still_fails() -> None:
    plugin = open_scripted(chat=[Error(b"soft failure", code=0)])
    with pytest.raises(errors.PluginCallError, match="soft failure"):
        plugin.chat([])
    plugin.close()


def test_a_denied_host_is_reported_after_many_error_records() -> None:
    noise = [Log(b"error record %d" % i) for i in range(100)]
    plugin = open_scripted(list_models=[*noise, Http(DENIED)], chat=[*noise, Trap()])
    with pytest.raises(errors.HostNotAllowedError) as denied:
        plugin.list_models()
    assert denied.value.url == "http://10.255.0.1:9/v1/models"
    with pytest.raises(errors.PluginTrapError, match="unreachable"):
        plugin.chat([])
    plugin.close()


def test_a_forged_host_not_allowed_line_before_a_real_error_message() -> None:
    plugin = open_scripted(chat=[Log(FORGED[0]), Error(b"real message")])
    with pytest.raises(errors.PluginCallError) as caught:
        plugin.chat([])
    assert caught.value.plugin_message == "real message"
    plugin.close()


def test_plugin_logs_go_to_python_logging_cut_and_redacted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = CONFIG["api_key"].encode()
    plugin = open_scripted(
        complete=[Log(b"key is " + secret, "warn"), Log(b"big", pad=MiB), Output(b'{"text":"x"}')]
    )
    with caplog.at_level(logging.INFO, logger="querymt_extism_v1.plugin"):
        assert plugin.complete(bindings.models.CompletionRequest(prompt="p")).text == "x"
    warn, big = caplog.records
    assert (warn.levelno, warn.getMessage()) == (logging.WARNING, "complete: key is ***")
    assert big.levelno == logging.ERROR
    assert big.getMessage().startswith("complete: big")
    assert big.getMessage().endswith("[cut]")
    assert len(big.getMessage()) < runtime.MAX_LOG_BYTES + 64
    plugin.close()


def _rss() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096


def test_log_floods_do_not_grow_the_host(caplog: pytest.LogCaptureFixture) -> None:
    """30 successful calls logging 8 MiB at error level each: the host holds none of it."""
    plugin = open_scripted(list_models=[Log(b"flood", pad=8 * MiB), Output(b'["m1"]')])
    # The tap is process-wide: earlier tests' raw-SDK plugins may have left records behind.
    runtime.LOG_TAP._pending.clear()
    with caplog.at_level(logging.ERROR, logger="querymt_extism_v1.plugin"):
        assert plugin.list_models() == ["m1"]  # warm: the instance's memory has grown once
        before = _rss()
        for _ in range(30):
            assert plugin.list_models() == ["m1"]
        grown = _rss() - before
    assert len(caplog.records) == 31
    assert grown < 32 * MiB, f"the host grew by {grown / MiB:.0f} MiB"
    assert sum(len(lines) for lines in runtime.LOG_TAP._pending.values()) == 0
    plugin.close()


def test_the_log_capture_keeps_the_last_records_of_an_instance() -> None:
    tap = runtime.ExtismLogTap()
    plugin_id = "0" * 8 + "-0000-0000-0000-" + "0" * 12
    for i in range(100):
        tap._record(f"record {i} " + "z" * 10_000 + f' plugin="{plugin_id}"')
    lines = tap._pending[plugin_id]
    assert len(lines) == tap.MAX_RECORDS
    assert lines[-1].startswith("record 99 ")
    assert all(len(line) <= tap.MAX_RECORD_CHARS for line in lines)
