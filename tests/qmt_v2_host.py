"""QueryMT's v2 (adapter-mode) host, redone with the raw Extism Python SDK, for the v2 tests.

It does what QueryMT HEAD's host does with an Extism provider plugin, in the same order:
load (probe instance, `name`, `base_url`, the allowed hosts, the final instance,
`init_logging`), build (`api_key_name`, `config_schema`, pruning, the base-URL check,
`from_config`), and the per-call request/parse exchanges, sending each request the plugin
builds over real HTTP with `http.client`. Streams are fed to the parser one line at a time,
each line with its `\\n`, then the end-of-body `\\n`, then `finish` and `close`.

Every export call goes through `call()`, which keeps the real return code (the SDK's
`Plugin.call` drops it when the plugin set an error) and records the call, so a test can check
every output afterwards. The six `qmt_*` host functions are registered in
`extism:host/user`; a failure inside one is recorded in `host_errors` (cffi would swallow it).
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import extism
from extism.extism import _ffi, _lib

NAMESPACE = "extism:host/user"
PROBE_INPUT = b"null"


# --------------------------------------------------------------------------- calls


@dataclass(frozen=True)
class Call:
    """One export call: its input, the real return code, the output and the error text."""

    export: str
    input: bytes
    rc: int
    output: bytes
    error: str | None

    @property
    def ok(self) -> bool:
        return self.rc == 0 and self.error is None

    def json(self) -> Any:
        return json.loads(self.output)

    def payload(self) -> dict[str, Any]:
        """The `payload` of a typed error (rc 1, `{"payload": ...}` error text)."""
        assert self.rc == 1, f"{self.export}: rc {self.rc}, error {self.error!r}"
        assert self.error is not None
        payload = json.loads(self.error)["payload"]
        assert isinstance(payload, dict)
        return payload


class HostError(Exception):
    """A call failed the way QueryMT's host reports it: `source` says who classified it."""

    def __init__(self, source: str, payload: dict[str, Any] | None, call: Call | None) -> None:
        super().__init__(f"{source}: {payload if payload is not None else call}")
        self.source = source
        self.payload = payload
        self.call = call


def _raw_call(plugin: extism.Plugin, export: str, data: bytes, context: Any) -> Call:
    handle = _ffi.new_handle(context)
    rc = _lib.extism_plugin_call_with_host_context(
        plugin.plugin, export.encode(), data, len(data), handle
    )
    error_ptr = _lib.extism_plugin_error(plugin.plugin)
    error = None if error_ptr == _ffi.NULL else _ffi.string(error_ptr).decode("utf-8", "replace")
    length = _lib.extism_plugin_output_length(plugin.plugin)
    output = bytes(_ffi.buffer(_lib.extism_plugin_output_data(plugin.plugin), length))
    return Call(export, data, int(rc), output if error is None else b"", error)


# --------------------------------------------------------------------------- HTTP on the wire


@dataclass
class WireResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def serializable(self) -> dict[str, Any]:
        """`SerializableHttpResponse`, as QueryMT hands it to a plugin (version always 1.1)."""
        return {
            "resp": {
                "head": {
                    "status": self.status,
                    "headers": header_map(self.headers),
                    "version": "HTTP/1.1",
                },
                "body": list(self.body),
            }
        }


def header_map(headers: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """http-serde-ext's header map: lowercase names, a string, or a list for repeated names."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.lower(), []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in grouped.items()}


def _header_values(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def open_request(req: Mapping[str, Any]) -> http.client.HTTPResponse:
    """Sends a `SerializableHttpRequest`'s inner `req` and returns the unread response."""
    head, body = req["head"], bytes(req["body"])
    parts = urlsplit(head["uri"])
    assert parts.scheme == "http", f"loopback only, got {head['uri']}"
    assert parts.hostname == "127.0.0.1", f"loopback only, got {head['uri']}"
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn.putrequest(head["method"], path, skip_accept_encoding=True)
    for name, value in head["headers"].items():
        for one in _header_values(value):
            conn.putheader(name, one)
    if body or head["method"] in ("POST", "PUT", "PATCH"):
        conn.putheader("content-length", str(len(body)))
    conn.endheaders(body)
    return conn.getresponse()


def send(req: Mapping[str, Any]) -> WireResponse:
    resp = open_request(req)
    body = resp.read()
    return WireResponse(resp.status, resp.getheaders(), body)


# --------------------------------------------------------------------------- host-side errors


def _retry_after(headers: Sequence[tuple[str, str]], body: Any) -> int | None:
    found = {k.lower(): v for k, v in headers}
    if (value := found.get("retry-after", "").strip()).isdigit():
        return int(value)
    if (value := found.get("retry-after-ms", "").strip()).isdigit():
        return (int(value) + 999) // 1000
    if isinstance(body, dict):
        error = body.get("error")
        for holder in (error, body):
            if isinstance(holder, dict):
                for key in ("retry_after", "retry_after_secs"):
                    if isinstance(holder.get(key), int | float):
                        return int(holder[key])
    return None


def classify_http_status(resp: WireResponse) -> dict[str, Any]:
    """QueryMT's generic classifier for non-2xx embed/complete/list-models responses
    (`classify_http_status` in crates/querymt/src/error.rs): the plugin is not called."""
    if resp.status == 499:
        return {"type": "cancelled"}
    try:
        body = json.loads(resp.body)
    except ValueError:
        body = None
    message = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = body["error"].get("message")
    if not isinstance(message, str):
        message = resp.body.decode("utf-8", "replace").strip()
    message = message.strip() or f"HTTP {resp.status}"
    retry = _retry_after(resp.headers, body)
    if resp.status in (401, 403):
        return {"type": "auth_error", "message": message}
    if resp.status == 429:
        return {"type": "rate_limited", "message": message, "retry_after_secs": retry}
    if resp.status == 400:
        return {"type": "invalid_request", "message": message}
    if 500 <= resp.status <= 599:
        return {
            "type": "http_status",
            "status_code": resp.status,
            "message": message,
            "retry_after_secs": retry,
        }
    return {"type": "provider_error", "message": message}


# --------------------------------------------------------------------------- host functions

_SIGNATURE = (
    "void(ExtismCurrentPlugin*, const ExtismVal*, ExtismSize, ExtismVal*, ExtismSize, void*)"
)


def _read(current: Any, offset: int) -> bytes:
    length = _lib.extism_current_plugin_memory_length(current, offset)
    base = _lib.extism_current_plugin_memory(current)
    return bytes(_ffi.buffer(base + offset, length))


def _write(current: Any, data: bytes) -> int:
    offset = _lib.extism_current_plugin_memory_alloc(current, len(data))
    base = _lib.extism_current_plugin_memory(current)
    _ffi.buffer(base + offset, len(data))[:] = data
    return int(offset)


def _host_of(current: Any) -> QuerymtV2Host:
    host = _ffi.from_handle(_lib.extism_current_plugin_host_context(current))
    assert isinstance(host, QuerymtV2Host)
    return host


def _qmt_log(host: QuerymtV2Host, current: Any, inputs: Any, outputs: Any) -> None:
    record = json.loads(_read(current, int(inputs[0].v.i64)))
    host.logs.append(record)


def _qmt_http_request(host: QuerymtV2Host, current: Any, inputs: Any, outputs: Any) -> None:
    req = json.loads(_read(current, int(inputs[0].v.i64)))["req"]
    hostname = urlsplit(req["head"]["uri"]).hostname or ""
    if host.allowed_hosts and hostname not in host.allowed_hosts:
        resp = WireResponse(403, [], f"Host '{hostname}' not in allowlist".encode())
    else:
        resp = send(req)
    outputs[0].v.i64 = _write(current, json.dumps(resp.serializable()).encode())


def _qmt_http_stream_open(host: QuerymtV2Host, current: Any, inputs: Any, outputs: Any) -> None:
    req = json.loads(_read(current, int(inputs[0].v.i64)))["req"]
    resp = open_request(req)
    if 200 <= resp.status < 300:
        host.next_stream_id += 1
        host.streams[host.next_stream_id] = resp
        result: dict[str, Any] = {"status": "ok", "stream_id": host.next_stream_id}
    else:
        wire = WireResponse(resp.status, resp.getheaders(), resp.read())
        error = json.dumps({"payload": classify_http_status(wire)})
        result = {"status": "error", "plugin_error": error, "error_code": 1}
    outputs[0].v.i64 = _write(current, json.dumps(result).encode())


def _qmt_http_stream_next(host: QuerymtV2Host, current: Any, inputs: Any, outputs: Any) -> None:
    stream_id = json.loads(_read(current, int(inputs[0].v.i64)))
    data = host.streams[stream_id].read1(65536) if stream_id else b""
    outputs[0].v.i64 = _write(current, data) if data else 0


def _qmt_http_stream_close(host: QuerymtV2Host, current: Any, inputs: Any, outputs: Any) -> None:
    stream_id = json.loads(_read(current, int(inputs[0].v.i64)))
    resp = host.streams.pop(stream_id, None)
    if resp is not None:
        resp.close()


def _qmt_yield_chunk(host: QuerymtV2Host, current: Any, inputs: Any, outputs: Any) -> None:
    host.yielded.append(json.loads(_read(current, int(inputs[0].v.i64))))


_I64 = extism.ValType.I64
_HOST_FUNCTIONS = {
    "qmt_http_request": ([_I64], [_I64], _qmt_http_request),
    "qmt_http_stream_open": ([_I64], [_I64], _qmt_http_stream_open),
    "qmt_http_stream_next": ([_I64], [_I64], _qmt_http_stream_next),
    "qmt_http_stream_close": ([_I64], [], _qmt_http_stream_close),
    "qmt_yield_chunk": ([_I64], [], _qmt_yield_chunk),
    "qmt_log": ([_I64], [], _qmt_log),
}


def _callback(name: str, serve: Any) -> Any:
    def callback(current: Any, inputs: Any, n_in: int, outputs: Any, n_out: int, _: Any) -> None:
        host = _host_of(current)
        try:
            serve(host, current, inputs, outputs)
        except Exception as exc:  # recorded: cffi would print and swallow it
            host.host_errors.append(f"{name}: {type(exc).__name__}: {exc}")

    return _ffi.callback(_SIGNATURE)(callback)


_CALLBACKS = {name: _callback(name, serve) for name, (_, _, serve) in _HOST_FUNCTIONS.items()}
"""Kept alive for the process: compiled modules call into them."""

HOST_FUNCTIONS = [
    extism.Function(NAMESPACE, name, params, results, _CALLBACKS[name])
    for name, (params, results, _) in _HOST_FUNCTIONS.items()
]


# --------------------------------------------------------------------------- the host


@dataclass
class StreamTrace:
    """What one streamed chat did: the network reads, the parse inputs, the events."""

    reads: list[bytes] = field(default_factory=list)
    lines: list[bytes] = field(default_factory=list)
    chunks: list[dict[str, Any]] = field(default_factory=list)
    parser_id: int = 0


class QuerymtV2Host:
    """One loaded plugin file, as QueryMT's host holds it; see the module docstring."""

    def __init__(
        self,
        wasm: bytes,
        provider_config: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        extra_allowed_hosts: Sequence[str] = (),
        max_log_level: int = 5,
    ) -> None:
        self.calls: list[Call] = []
        self.logs: list[dict[str, Any]] = []
        self.host_errors: list[str] = []
        self.yielded: list[Any] = []
        self.streams: dict[int, http.client.HTTPResponse] = {}
        self.next_stream_id = 0
        self.env = dict(env or {})
        self.provider_config = dict(provider_config)
        self.allowed_hosts: list[str] = []
        # Load, as `ExtismProvider::new` does.
        manifest: dict[str, Any] = {"wasm": [{"data": wasm}], "config": self.env}
        self.plugin = extism.Plugin(manifest, wasi=True, functions=HOST_FUNCTIONS)
        name = self.call("name", PROBE_INPUT)
        assert name.ok, f"name failed: {name}"
        self.name = name.output.decode()
        base = self.call("base_url", PROBE_INPUT)
        self.default_base_url = base.output.decode() if base.ok else None
        configured = self.provider_config.get("base_url")
        source = configured if isinstance(configured, str) else self.default_base_url
        hosts = list(extra_allowed_hosts)
        if source and (hostname := urlsplit(source).hostname):
            hosts.append(hostname)
        self.allowed_hosts = hosts
        manifest = {"wasm": [{"data": wasm}], "config": self.env, "allowed_hosts": hosts}
        self.plugin = extism.Plugin(manifest, wasi=True, functions=HOST_FUNCTIONS)
        logging = self.call("init_logging", json.dumps(max_log_level).encode())
        assert logging.ok, f"init_logging failed: {logging}"
        self.cfg: dict[str, Any] = {}

    # ----------------------------------------------------------------------- calls

    def call(self, export: str, data: bytes | Any) -> Call:
        raw = data if isinstance(data, bytes) else json.dumps(data).encode()
        result = _raw_call(self.plugin, export, raw, self)
        self.calls.append(result)
        return result

    def function_exists(self, export: str) -> bool:
        return bool(self.plugin.function_exists(export))

    def _ok(self, export: str, data: Any) -> Any:
        result = self.call(export, data)
        if result.ok:
            return result.json()
        if result.rc == 1:
            raise HostError("plugin", result.payload(), result)
        raise HostError("plugin-untyped", None, result)

    # ----------------------------------------------------------------------- build

    def config_schema(self) -> dict[str, Any]:
        result = self.call("config_schema", PROBE_INPUT)
        assert result.ok, f"config_schema failed: {result}"
        schema = json.loads(result.output)
        assert isinstance(schema, dict)
        return schema

    def prune(self, cfg: Mapping[str, Any]) -> dict[str, Any]:
        """Drops keys the schema's top-level `properties` do not list, as QueryMT does."""
        properties = self.config_schema().get("properties", {})
        return {k: v for k, v in cfg.items() if k in properties}

    def build(self) -> dict[str, Any]:
        cfg = dict(self.provider_config)
        if not cfg.get("api_key"):
            key_name = self.call("api_key_name", PROBE_INPUT)
            if key_name.ok and key_name.output and key_name.output.decode() in self.env:
                cfg["api_key"] = self.env[key_name.output.decode()]
        self.config_schema()  # QueryMT reads it twice while building
        cfg = self.prune(cfg)
        if isinstance(cfg.get("base_url"), str) and self.allowed_hosts:
            assert urlsplit(cfg["base_url"]).hostname in self.allowed_hosts
        self._ok("from_config", cfg)
        self.cfg = cfg
        return cfg

    # ----------------------------------------------------------------------- operations

    def list_models(self) -> list[str]:
        cfg = self.prune(self.provider_config)
        if self.function_exists("list_models_static"):
            static = self._ok("list_models_static", {"cfg": cfg})
            if static is not None:
                assert isinstance(static, list)
                return static
        req = self._ok("list_models_request", {"cfg": cfg})["req"]
        resp = send(req)
        if not 200 <= resp.status < 300:
            raise HostError("host", classify_http_status(resp), None)
        models = self._ok("parse_list_models_response", {"resp": resp.serializable()})
        assert isinstance(models, list)
        return models

    def _chat_failure(self, resp: WireResponse) -> HostError:
        parse_request = {"cfg": self.cfg, "resp": resp.serializable()}
        if not self.function_exists("classify_chat_error"):
            raise AssertionError("the v2 example exports classify_chat_error")
        result = self.call("classify_chat_error", parse_request)
        if not result.ok:
            return HostError("classify_chat_error-failed", None, result)
        return HostError("classify_chat_error", result.json()["payload"], result)

    def chat(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        request = {"cfg": self.cfg, "messages": messages, "tools": tools}
        req = self._ok("chat_request", request)["req"]
        resp = send(req)
        if not 200 <= resp.status < 300:
            raise self._chat_failure(resp)
        answer = self._ok("parse_chat_response", {"cfg": self.cfg, "resp": resp.serializable()})
        assert isinstance(answer, dict)
        return answer

    def chat_stream(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        trace: StreamTrace | None = None,
    ) -> list[dict[str, Any]]:
        """The `StreamChunk`s of a streamed chat, in order (what the consumer stream yields)."""
        trace = trace if trace is not None else StreamTrace()
        request = {"cfg": self.cfg, "messages": messages, "tools": tools}
        req = self._ok("chat_stream_request", request)["req"]
        resp = open_request(req)
        if not 200 <= resp.status < 300:
            raise self._chat_failure(WireResponse(resp.status, resp.getheaders(), resp.read()))
        parser_id = self._ok("chat_stream_parser_start", self.cfg)
        assert isinstance(parser_id, int)
        trace.parser_id = parser_id
        try:
            for line in self._lines(resp, trace):
                trace.lines.append(line)
                request = {"parser_id": parser_id, "chunk": list(line)}
                trace.chunks.extend(
                    c["chunk"] for c in self._ok("chat_stream_parser_parse", request)
                )
            trace.chunks.extend(
                c["chunk"] for c in self._ok("chat_stream_parser_finish", parser_id)
            )
        finally:
            close = self.call("chat_stream_parser_close", parser_id)
            assert close.ok, f"close failed: {close}"
            resp.close()
        return trace.chunks

    @staticmethod
    def _lines(resp: http.client.HTTPResponse, trace: StreamTrace) -> Iterator[bytes]:
        """Re-frames the body into lines as QueryMT does: each `\\n`-terminated line (with its
        `\\n`); at the end of the body one more `\\n` flushes the tail, or is a line by itself."""
        buffer = b""
        while True:
            read = resp.read1(65536)
            if not read:
                break
            trace.reads.append(read)
            buffer += read
            while (end := buffer.find(b"\n")) >= 0:
                yield buffer[: end + 1]
                buffer = buffer[end + 1 :]
        yield buffer + b"\n"

    def embed(self, inputs: list[str]) -> list[list[float]]:
        req = self._ok("embed_request", {"cfg": self.cfg, "inputs": inputs})["req"]
        resp = send(req)
        if not 200 <= resp.status < 300:
            raise HostError("host", classify_http_status(resp), None)
        vectors = self._ok("parse_embed_response", {"cfg": self.cfg, "resp": resp.serializable()})
        assert isinstance(vectors, list)
        return vectors

    def complete(self, request: dict[str, Any]) -> dict[str, Any]:
        req = self._ok("complete_request", {"cfg": self.cfg, "req": request})["req"]
        resp = send(req)
        if not 200 <= resp.status < 300:
            raise HostError("host", classify_http_status(resp), None)
        answer = self._ok("parse_complete_response", {"cfg": self.cfg, "resp": resp.serializable()})
        assert isinstance(answer, dict)
        return answer
