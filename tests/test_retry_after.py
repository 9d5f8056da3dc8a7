"""The retry hint of a failed response, read as QueryMT 0.6's host reads it: every header form
(seconds, HTTP-dates relative to now, milliseconds, duration strings), their precedence, the
rounding (down, but a positive part of a second is 1), the body's fields, and the garbage and
negative values that give nothing. Checked through the runtime's parser and through the spec's
status-only classifiers (the data the v2 bindings carry), then end to end over loopback HTTP."""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

import pytest
import querymt_extism_runtime as runtime
import querymt_extism_v2 as v2
from querymt_extism_runtime.retry_after import (
    parse_duration,
    retry_after_from_body,
    retry_after_from_headers,
)
from servers.openai_compat import OpenAICompatServer
from wasm_builder import Output

NOW = 1_700_000_000.25  # a fixed clock, a quarter second past a whole second


def _date(epoch: float) -> str:
    return email.utils.formatdate(epoch, usegmt=True)


def _headers(**values: str) -> dict[str, list[str]]:
    return {name.replace("_", "-"): [value] for name, value in values.items()}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30", 30),
        ("0", 0),
        ("+7", 7),  # Rust's u64 parser takes a plus sign
        ("30s", 30),
        ("1m", 60),
        ("6m0s", 360),
        ("1m30s", 90),
        ("1h 30s", 3630),
        ("2h 15m", 8100),
        ("20ms", 1),
        ("500ms", 1),
        ("2500ms", 2),
        ("1.5s", 1),
        ("0.2s", 1),
        ("0s", 0),
        ("0ms", 0),
        ("1d", 86400),
        ("  45s  ", 45),
        ("18446744073709551615", 2**64 - 1),
    ],
)
def test_durations_parse_to_whole_seconds(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "-5",
        "-1s",
        "5 parsecs",
        "s",
        "1.s",
        "1e3",
        "18446744073709551616",
        "99999999999999999999999y",
        "1s;",
        "\uff10s",  # a fullwidth zero
    ],
)
def test_garbage_durations_give_nothing(text: str) -> None:
    assert parse_duration(text) is None


def test_retry_after_in_seconds_and_as_an_http_date() -> None:
    def at(value: str) -> int | None:
        return retry_after_from_headers({"retry-after": [value]}, now=lambda: NOW)

    assert at("120") == 120
    assert at(_date(NOW + 120)) == 119  # the date is whole seconds, the clock is not
    assert at(_date(NOW + 1)) == 1
    assert at(_date(NOW - 30)) is None  # already past
    assert at("Sunday, 06-Nov-94 08:49:37 GMT") is None  # RFC 850, past
    future = time.gmtime(NOW + 3600)
    asctime = time.strftime("%a %b %e %H:%M:%S %Y", future)
    rfc850 = time.strftime("%A, %d-%b-%y %H:%M:%S GMT", future)
    assert at(asctime) == 3599
    assert at(rfc850) == 3599
    for garbage in ("soon", "-3", "1.5", _date(NOW + 60).replace("GMT", "UTC"), "3s"):
        assert at(garbage) is None, garbage


def test_header_precedence_and_fallthrough() -> None:
    both = _headers(retry_after="10", retry_after_ms="5000", x_ratelimit_reset_requests="1m")
    assert retry_after_from_headers(both) == 10
    assert retry_after_from_headers(_headers(retry_after_ms="60000")) == 60
    assert retry_after_from_headers(_headers(retry_after_ms="60")) == 1
    assert retry_after_from_headers(_headers(retry_after_ms="1999")) == 1
    assert retry_after_from_headers(_headers(retry_after_ms="0")) == 0
    assert retry_after_from_headers(_headers(x_ratelimit_reset_requests="6m0s")) == 360
    # A value that does not parse falls through to the next header.
    broken = _headers(retry_after="later", retry_after_ms="-5", x_ratelimit_reset_requests="20ms")
    assert retry_after_from_headers(broken) == 1
    assert retry_after_from_headers(_headers(retry_after_ms="1.5s")) is None
    assert retry_after_from_headers(_headers(retry_after="7\u00e9")) is None  # not ASCII text
    assert retry_after_from_headers({"Retry-After": ["3"]}) == 3  # names in any case
    assert retry_after_from_headers({"retry-after": []}) is None
    assert retry_after_from_headers({}) is None


@pytest.mark.parametrize(
    ("body", "seconds"),
    [
        ({"error": {"retry_after": 12}}, 12),
        ({"error": {"retry_after_secs": "2m"}}, 120),
        ({"retry_after": 3.9}, 3),
        ({"retry_after": 0.3}, 1),
        ({"retry_after": -4}, 0),  # a negative number is "now", as QueryMT casts it
        ({"retry_after_secs": "1.5s"}, 1),
        ({"error": {"retry_after": "soon"}, "retry_after": 8}, 8),
        ({"error": {"retry_after": True}, "retry_after_secs": 5}, 5),
        ({"error": {"retry_after": 1, "retry_after_secs": 2}, "retry_after": 3}, 1),
        ({"error": "flat", "retry_after": 6}, 6),
        ({"retry_after": None}, None),
        ({"retry_after": "-2s"}, None),
        ([1, 2], None),
        ("text", None),
        ({}, None),
    ],
)
def test_body_retry_hints(body: Any, seconds: int | None) -> None:
    assert retry_after_from_body(body) == seconds


@pytest.mark.parametrize("classifier", ["classify_status_only", "classify_http_status"])
def test_the_spec_classifiers_use_headers_before_the_body(classifier: str) -> None:
    classify = v2.plugin.ABI.classifier(classifier).classify
    body = json.dumps({"error": {"message": "slow", "retry_after": 50}}).encode()
    ratelimit = classify(429, _headers(x_ratelimit_reset_requests="1.5s"), body)
    assert ratelimit["retry_after_secs"] == 1 and ratelimit["message"] == "slow"
    assert classify(429, _headers(retry_after="bogus"), body)["retry_after_secs"] == 50
    assert classify(503, _headers(retry_after_ms="2500"), b"")["retry_after_secs"] == 2
    assert classify(503, _headers(retry_after="-1"), b"")["retry_after_secs"] is None


def test_a_0_5_2_plugin_rate_limited_by_date_over_loopback() -> None:
    """End to end: a real server answers 429 with an HTTP-date; the status-only classifier
    (a plugin without `classify_chat_error`) turns it into seconds from now."""
    from test_open_plugin import CONFIG, _chat_to, scripted_v2

    with OpenAICompatServer() as server:
        wasm = scripted_v2(
            dialect="0.5.2",
            chat_request=_chat_to(server.base_url + "chat/completions"),
            base_url=[Output(server.base_url.encode())],
        )
        server.fail("/chat/completions", 429, "busy", {"Retry-After": _date(time.time() + 90)})
        with (
            runtime.open_plugin(wasm, CONFIG) as plugin,
            pytest.raises(runtime.ProviderRateLimitedError) as caught,
        ):
            runtime.adapter_chat(plugin, [])
    assert caught.value.retry_after is not None and 80 <= caught.value.retry_after <= 90
