"""The generated Go modules' codecs against the wire cases and against serde itself.

For each ABI (v1 with fixtures/wire_cases.yaml, v2 with wire_cases_v2.yaml) a native Go checker
(tests/go_wire.py) decodes every case as its type with the generated `DecodeX` (type parameters
as the module's `Value`) and encodes it back with `EncodeX`. The Go codecs accept every `valid`
document and write it back unchanged, refuse every `invalid` one, read every `serde_only` form,
and write the second document of each `rewrites` pair: the verdicts the serde checker
(tests/test_rust_wire*.py), the JSON Schemas and the Python models (tests/test_v2_wire.py) give
for the same file.

YAML cannot spell duplicate keys, escapes, number forms or invalid UTF-8, so `EDGE_CASES`
(raw JSON text) go through the serde checker and the Go checker side by side: the same verdict
and the same re-encoded JSON for every one.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import serde_wire
from go_wire import build_checker, run_checker

from generator import ir
from generator.gotool import go_binary, go_env, gofmt_binary, wasm_env
from generator.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = {
    "v1": (
        load_spec(ROOT / "spec" / "querymt-extism-v1.yaml", display_root=ROOT),
        "wire_cases.yaml",
    ),
    "v2": (
        load_spec(ROOT / "spec" / "querymt-extism-v2.yaml", display_root=ROOT),
        "wire_cases_v2.yaml",
    ),
}


def deep(n: int) -> str:
    return "[" * n + "]" * n


# (type, raw JSON text) for the v2 types: forms only raw text can spell.
EDGE_CASES: list[tuple[str, str]] = [
    # duplicate keys: a struct refuses them (also under an alias), a map and a json value keep
    # the last one
    ("Usage", '{"input_tokens":1,"input_tokens":2}'),
    ("Usage", '{"cache_read":1,"cache_read_input_tokens":2}'),
    ("ChatMessage", '{"role":"User","content":[],"role":"User"}'),
    ("Content", '{"type":"text","type":"text","text":"x"}'),
    ("Content", '{"type":"text","text":"a","text":"b"}'),
    ("LLMErrorPayload", '{"type":"cancelled","type":"cancelled"}'),
    (
        "HttpRequestHead",
        '{"method":"GET","uri":"u","headers":{"a":"1","a":["2"]},"version":"HTTP/1.1"}',
    ),
    ("FunctionTool", '{"name":"f","description":"d","parameters":{"b":1,"a":2,"a":3}}'),
    ("ChatRole", '{"User":null,"User":null}'),
    # keys match exactly (encoding/json would match INPUT_TOKENS case-insensitively)
    ("Usage", '{"INPUT_TOKENS":7}'),
    ("Content", '{"TYPE":"text","text":"x"}'),
    # integers: range, sign, no fractions or exponents
    ("Usage", '{"input_tokens":1.0}'),
    ("Usage", '{"input_tokens":1e2}'),
    ("Usage", '{"input_tokens":-0}'),
    ("Usage", '{"input_tokens":4294967295}'),
    ("HttpResponseHead", '{"status":65535,"headers":{},"version":"HTTP/1.1"}'),
    ("HttpResponseHead", '{"status":65536,"headers":{},"version":"HTTP/1.1"}'),
    ("ExtismChatChunkParseRequest", '{"parser_id":9223372036854775807,"chunk":[]}'),
    ("ExtismChatChunkParseRequest", '{"parser_id":9223372036854775808,"chunk":[]}'),
    ("ExtismChatChunkParseRequest", '{"parser_id":-9223372036854775808,"chunk":[]}'),
    ("ExtismChatChunkParseRequest", '{"parser_id":-9223372036854775809,"chunk":[]}'),
    ("ExtismChatChunkParseRequest", '{"parser_id":1,"chunk":[1.0]}'),
    ("ExtismChatChunkParseRequest", '{"parser_id":1,"chunk":[255,0,-0]}'),
    ("ExtismLogRecord", '{"level":18446744073709551615,"target":"t","message":"m"}'),
    ("ExtismLogRecord", '{"level":18446744073709551616,"target":"t","message":"m"}'),
    ("StreamOpenResult", '{"status":"error","plugin_error":"x","error_code":2147483648}'),
    ("StreamOpenResult", '{"status":"error","plugin_error":"x","error_code":-2147483648}'),
    # floats: f32 rounding, shortest output, out of range
    ("CompletionRequest", '{"prompt":"x","temperature":0.1}'),
    ("CompletionRequest", '{"prompt":"x","temperature":1}'),
    ("CompletionRequest", '{"prompt":"x","temperature":1e-7}'),
    ("CompletionRequest", '{"prompt":"x","temperature":3.4e38}'),
    ("CompletionRequest", '{"prompt":"x","temperature":-2.5E+3}'),
    ("CompletionRequest", '{"prompt":"x","temperature":1e400}'),
    ("CompletionRequest", '{"prompt":"x","temperature":"0.5"}'),
    # json values: numbers as serde_json::Value keeps them
    (
        "FunctionTool",
        '{"name":"f","description":"d","parameters":[1,-1,18446744073709551615,-9223372036854775808]}',
    ),
    ("FunctionTool", '{"name":"f","description":"d","parameters":12345678901234567890123}'),
    ("FunctionTool", '{"name":"f","description":"d","parameters":[1E2,0.1,-0.0,1.5e300,2.5]}'),
    ("FunctionTool", '{"name":"f","description":"d","parameters":{"z":{"y":[true,false,null]}}}'),
    ("FunctionTool", '{"name":"f","description":"d","parameters":-18446744073709551616}'),
    ("FunctionTool", '{"name":"f","description":"d","parameters":-1e-400}'),
    ("FunctionTool", '{"name":"f","description":"d","parameters":1E400}'),
    ("CompletionRequest", '{"prompt":"x","temperature":1e39}'),
    ("ExtismTtsRequest", '{"cfg":{},"text":"t","speed":1e39}'),
    # strings: escapes in, serde_json's escapes out (no \\u003c for <, U+2028 as it is)
    ("FunctionCall", r'{"name":"\ud83d\ude00","arguments":"\u0000\u001f<>&\u2028\"\\\/"}'),
    ("FunctionCall", '{"name":"é ü 中","arguments":"\\b\\f\\n\\r\\t"}'),
    ("FunctionCall", r'{"name":"\ud800","arguments":""}'),
    ("FunctionCall", r'{"name":"\udc00","arguments":""}'),
    ("FunctionCall", r'{"name":"\ud800\u0041","arguments":""}'),
    ("FunctionCall", r'{"name":"\x","arguments":""}'),
    ("FunctionCall", '{"name":"a\tb","arguments":""}'),
    # serde's struct-as-array form, and internally tagged enums with the tag first
    ("Usage", "[1,2,3,4,5]"),
    ("Usage", "[1]"),
    ("Usage", "[]"),
    ("Usage", "[1,2,3,4,5,6]"),
    ("ChatMessage", '["User",[]]'),
    ("ChatMessage", '["User",[],null]'),
    ("FunctionCall", '["f"]'),
    ("CacheHint", '{"ephemeral":[]}'),
    ("CacheHint", '{"ephemeral":[5]}'),
    ("Content", '["text","hi"]'),
    ("Content", '{"text":"hi","type":"text"}'),
    ("Content", '{"type":1,"text":"hi"}'),
    ("LLMErrorPayload", '{"type":"rate_limited","message":"m","retry_after_secs":1.5}'),
    (
        "LLMErrorPayload",
        '{"type":"http_status","status_code":503,"message":"m","retry_after_secs":7,"extra":[1]}',
    ),
    ("LLMErrorPayload", '["cancelled"]'),
    ("LLMErrorPayload", '["cancelled",1]'),
    ("LLMErrorPayload", '["generic_error","m"]'),
    ("LLMErrorPayload", '["generic_error"]'),
    ("Content", '["image","png",[1,2]]'),
    ("StreamChunk", '{"tool_use_start":[0,"c","f"]}'),
    ("ExtismChatResponse", '{"usage":[]}'),
    ("ExtismChatChunk", '[{"text":"a"}]'),
    ("SerializableHttpRequest", '{"req":[{"method":"GET","uri":"u","headers":{},"version":"2"}]}'),
    ("SerializableHttpRequest", '{"req":[{"method":"GET","uri":"u","headers":{}},[]]}'),
    ("StreamOpenResult", '{"status":"cancelled","stream_id":"x"}'),
    ("ExtismVoiceConfig", '{"type":"preset","name":"a","type":"preset"}'),
    ("CacheHint", '{"ephemeral":{"ttl_seconds":1,"ttl_seconds":2}}'),
    ("ExtismChatRequest", '{"cfg":1,"cfg":2,"messages":[]}'),
    ("CompletionRequest", '{"prompt":"x","max_tokens":null,"max_tokens":null}'),
    ("Usage", '{"input_tokens":1,"prompt_tokens":null}'),
    # enums: exact names, serde's map form for unit variants, `other`
    ("FinishReason", '"Stop "'),
    ("FinishReason", '{"Stop":1}'),
    ("FinishReason", '{"Stop":null,"Stop":null}'),
    ("ChatRole", '{"User":[]}'),
    ("ProviderErrorKind", '"Rate_limited"'),
    ("ProviderErrorKind", "{}"),
    ("StreamChunk", '{"usage":null}'),
    ("HttpHeaderValue", '{"a":1}'),
    ("HttpHeaderValue", '"\\u00e9"'),
    ("ProviderErrorKind", '{"bogus":null}'),
    ("ProviderErrorKind", '{"bogus":1}'),
    ("StreamChunk", '{"usage":[1,2]}'),
    ("StreamChunk", "{}"),
    ("HttpHeaderValue", '["a",1]'),
    ("HttpVersion", '{"HTTP/1.1":null}'),
    # documents: whitespace, trailing text, syntax, depth (serde_json's limit is 128)
    ("StreamChunk", ' \n\t{ "text" : "a" } \r\n'),
    ("StreamChunk", '{"text":"a"}x'),
    ("StreamChunk", '{"text":"a"}{}'),
    ("ExtismListModelsRequest", ""),
    ("ExtismListModelsRequest", '{"cfg":1,}'),
    ("ExtismListModelsRequest", '{"cfg":01}'),
    ("ExtismListModelsRequest", '{"cfg":1.}'),
    ("ExtismListModelsRequest", '{"cfg":.5}'),
    ("ExtismListModelsRequest", '{"cfg":+1}'),
    ("ExtismListModelsRequest", '{"cfg":NaN}'),
    ("ExtismListModelsRequest", '{"cfg":tru}'),
    ("ExtismListModelsRequest", '{"cfg":[1 2]}'),
    ("ExtismListModelsRequest", '{"cfg" 1}'),
    ("ExtismListModelsRequest", "{cfg:1}"),
    ("ExtismListModelsRequest", '{"cfg":' + deep(126) + "}"),
    ("ExtismListModelsRequest", '{"cfg":' + deep(127) + "}"),
    ("ExtismListModelsRequest", '{"cfg":' + deep(128) + "}"),
    ("ExtismListModelsRequest", '{"cfg":' + deep(300) + "}"),
]

# Bytes that are not UTF-8 never reach serde's line-based checker; serde_json::from_slice
# refuses them ("invalid unicode code point"), and so must Go.
INVALID_UTF8: list[tuple[str, bytes]] = [
    ("FunctionCall", b'{"name":"\xff","arguments":""}'),
    ("FunctionCall", b'{"name":"\xc3","arguments":""}'),
    ("FunctionCall", b'{"name":"\xed\xa0\x80","arguments":""}'),  # an encoded surrogate
    ("FunctionCall", b'{"name":"f","arguments":"","\xe9":1}'),
    ("ExtismListModelsRequest", b'{"cfg":"\xf8\x88\x80\x80\x80"}'),
]


@pytest.fixture(scope="module", params=sorted(SPECS))
def abi(request: pytest.FixtureRequest) -> tuple[ir.Spec, dict[str, Any], Path, Path]:
    spec, fixture = SPECS[request.param]
    cases = serde_wire.load_cases(Path(__file__).parent / "fixtures" / fixture)
    return spec, cases, build_checker(spec), serde_wire.build_checker(spec)


def _docs(cases: dict[str, Any], kind: str) -> list[tuple[str, Any]]:
    return [(name, doc) for name, c in sorted(cases.items()) for doc in c.get(kind, [])]


def _encoded(docs: list[tuple[str, Any]]) -> list[tuple[str, bytes]]:
    return [(name, json.dumps(doc).encode()) for name, doc in docs]


def test_go_and_serde_agree_on_every_wire_case(abi: Any) -> None:
    """Every document of the fixture, whatever its kind: the same verdict, and what Go writes
    back is what serde writes back (v1's `valid` documents may carry keys serde drops)."""
    _, cases, checker, serde_checker = abi
    docs = [
        *(d for kind in ("valid", "invalid", "serde_only") for d in _docs(cases, kind)),
        *((n, read) for n, c in sorted(cases.items()) for read, _ in c.get("rewrites", [])),
    ]
    go = run_checker(checker, _encoded(docs))
    serde = serde_wire.run_checker(serde_checker, docs)
    disagree = [
        (name, doc, s, g)
        for (name, doc), s, g in zip(docs, serde, go, strict=True)
        if s.verdict != g.verdict or (s.verdict == "ok" and s.written != g.written)
    ]
    assert disagree == []
    assert {g.verdict for g in go} == {"ok", "err"}


def test_go_refuses_every_invalid_document(abi: Any) -> None:
    _, cases, checker, _ = abi
    invalid = _docs(cases, "invalid")
    assert invalid
    accepted = [
        (name, doc, v.output)
        for (name, doc), v in zip(invalid, run_checker(checker, _encoded(invalid)), strict=True)
        if v.verdict != "err"
    ]
    assert accepted == []


def test_go_reads_the_forms_only_serde_reads(abi: Any) -> None:
    _, cases, checker, _ = abi
    lenient = _docs(cases, "serde_only")
    assert lenient
    refused = [
        (name, doc, v.output)
        for (name, doc), v in zip(lenient, run_checker(checker, _encoded(lenient)), strict=True)
        if v.verdict != "ok"
    ]
    assert refused == []


def test_v2_valid_documents_come_back_unchanged_and_rewrites_as_listed() -> None:
    spec, fixture = SPECS["v2"]
    cases = serde_wire.load_cases(Path(__file__).parent / "fixtures" / fixture)
    checker = build_checker(spec)
    valid = _docs(cases, "valid")
    pairs = [
        (n, read, out) for n, c in sorted(cases.items()) for read, out in c.get("rewrites", [])
    ]
    verdicts = run_checker(checker, _encoded(valid + [(n, read) for n, read, _ in pairs]))
    expected = [doc for _, doc in valid] + [out for _, _, out in pairs]
    documents = valid + [(n, r) for n, r, _ in pairs]
    wrong = [
        (name, want, v)
        for (name, _), want, v in zip(documents, expected, verdicts, strict=True)
        if v.verdict != "ok" or v.written != want
    ]
    assert wrong == []


def test_every_spec_type_has_a_go_codec(abi: Any) -> None:
    spec, cases, checker, _ = abi
    verdicts = run_checker(checker, [(t.name, b"null") for t in spec.types])
    assert [v for v in verdicts if v.verdict in ("unknown", "encode-err")] == []
    assert sorted(cases) == sorted(t.name for t in spec.types)


@pytest.fixture(scope="module")
def v2_checkers() -> tuple[Path, Path]:
    spec = SPECS["v2"][0]
    return serde_wire.build_checker(spec), build_checker(spec)


def _serde_raw(checker: Path, cases: list[tuple[str, str]]) -> list[serde_wire.Verdict]:
    lines = "".join(f"{name}\t{text}\n" for name, text in cases)
    result = subprocess.run([str(checker)], input=lines, capture_output=True, text=True, check=True)
    verdicts = [serde_wire.Verdict(*line.split("\t", 1)) for line in result.stdout.split("\n")[:-1]]
    assert len(verdicts) == len(cases), result.stdout
    return verdicts


def _single_line(cases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # serde's checker reads one document per line: whitespace around it is JSON's to skip.
    return [(n, t.replace("\n", " ").replace("\r", " ")) for n, t in cases]


def test_go_and_serde_agree_on_every_edge_case(v2_checkers: tuple[Path, Path]) -> None:
    serde_checker, go_checker = v2_checkers
    cases = _single_line(EDGE_CASES)
    serde = _serde_raw(serde_checker, cases)
    go = run_checker(go_checker, [(n, t.encode()) for n, t in cases])
    disagree = []
    for (name, text), s, g in zip(cases, serde, go, strict=True):
        same = s.verdict == g.verdict and (s.verdict != "ok" or s.written == g.written)
        if not same:
            disagree.append((name, text[:80], s, g))
    assert disagree == []
    # Both sides took each outcome somewhere: the list probes acceptance and refusal.
    assert {v.verdict for v in go} == {"ok", "err"}


def test_go_writes_strings_byte_for_byte_as_serde(v2_checkers: tuple[Path, Path]) -> None:
    serde_checker, go_checker = v2_checkers
    cases = [(n, t) for n, t in _single_line(EDGE_CASES) if n == "FunctionCall"]
    serde = _serde_raw(serde_checker, cases)
    go = run_checker(go_checker, [(n, t.encode()) for n, t in cases])
    assert [s.verdict for s in serde] == [g.verdict for g in go]
    accepted = [(s.output, g.output) for s, g in zip(serde, go, strict=True) if s.verdict == "ok"]
    assert accepted and all(s == g for s, g in accepted)


def test_go_refuses_invalid_utf8(v2_checkers: tuple[Path, Path]) -> None:
    _, go_checker = v2_checkers
    verdicts = run_checker(go_checker, INVALID_UTF8)
    assert [(v.verdict, "unicode" in v.output) for v in verdicts] == [("err", True)] * len(
        INVALID_UTF8
    )


@pytest.mark.parametrize("slug", ["querymt-extism-v1", "querymt-extism-v2"])
def test_generated_module_is_gofmt_and_vet_clean(slug: str) -> None:
    module = ROOT / "generated" / "go" / slug
    unformatted = subprocess.run(
        [gofmt_binary(), "-l", "."], cwd=module, capture_output=True, text=True, check=True
    )
    assert unformatted.stdout == ""
    for env in (go_env(), wasm_env()):  # the host build (codecs) and the plugin build (all files)
        vet = subprocess.run(
            [go_binary(), "vet", "./..."], cwd=module, env=env, capture_output=True, text=True
        )
        assert vet.returncode == 0, vet.stderr
