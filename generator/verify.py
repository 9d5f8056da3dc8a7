"""`qmt-abigen verify PLUGIN.wasm`: the spec's conformance suite, runnable against any plugin.

Every check is derived from the spec, so an export added to the spec is checked without new code:

- `wasm`, `extism`: the file is a WebAssembly module that imports Extism's kernel.
- `export`: each export of the spec is present (required) or reported present/absent (optional).
- `load`: the module compiles and instantiates under the verifier's manifest.
- `call`: each export answers a valid input (an example of the spec, `cfg` filled in with the
  configuration) without error; HTTP goes to the built-in loopback server or to `--base-url`.
- `encoding`: the output has the spec's encoding (UTF-8 text, empty for none, JSON).
- `schema`: the decoded output validates against the export's JSON Schema (built from the IR).
- `json-schema`, `config`: an output of content type `application/schema+json` is a JSON Schema
  document (metaschema check) and the configuration used passes it.
- `malformed-input`, `invalid-config`: bad input (malformed JSON, invalid UTF-8, a configuration
  the plugin's own schema rejects) fails the spec's way, with an error message, not a trap.
- `allowed-hosts`: with an allow-list that excludes the server, each HTTP export fails cleanly
  with host-not-allowed, and the loopback server receives nothing.

`verify_plugin()` returns a `VerifyReport` and knows nothing about the command line; `register()`
adds the thin `verify` command to the `qmt-abigen` app. The plugin runs without the host's
environment (its manifest config is empty) and may reach only the server's host, so a run never
leaves 127.0.0.1 unless `--base-url` says so. Configuration values are never reported: only their
keys, and plugin messages have secret values replaced by `***`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, assert_never

import jsonschema
import typer

from generator import exit_codes, ir
from generator.host_support import UsageError, load_bindings, read_json_arg
from generator.ir import calls
from generator.ir import schema as jsonschema_target
from generator.loader import load_spec
from generator.loopback_server import LoopbackServer
from generator.resources import DEFAULT_SPEC
from generator.targets import python as python_target

DEFAULT_TIMEOUT_MS = 3_000
"""Per call: long enough for any loopback answer, short enough to catch an infinite loop fast."""
DEFAULT_API_KEY = "sk-verify"
SCHEMA_CONTENT_TYPE = "application/schema+json"
BLOCKED_HOST_ALLOWLIST = ("allowed.invalid",)
"""The allow-list of the `allowed-hosts` check: a reserved name (RFC 2606), never the server."""
MALFORMED_JSON = b'{"qmt-verify": malformed'
INVALID_UTF8 = b"qmt-verify \xff\xfe"
INVALID_CONFIG_CANDIDATES: tuple[Any, ...] = ({}, [], 42, "qmt-verify", None)
"""Tried in order: the first one the plugin's config_schema rejects is sent as `invalid-config`."""
MAX_DETAIL = 160

ProgressFn = Callable[[str, int, int], None]
"""Called before each plugin call: (what, calls done, calls planned)."""


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"


class VerifyUsageError(UsageError):
    """The invocation is wrong (a file is missing, a value is malformed): exit 2."""


@dataclass(frozen=True)
class CheckResult:
    check: str
    export: str | None
    status: Status
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "export": self.export,
            "status": self.status.value,
            "detail": self.detail,
        }


@dataclass
class VerifyReport:
    """The outcome of one run; `checks` are in a fixed order (module, then the spec's exports)."""

    plugin: str
    abi: str
    server: str
    timeout_ms: int
    name: str | None = None
    verdict: str = ""
    config_keys: tuple[str, ...] = ()
    checks: list[CheckResult] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        counts = {status.value.lower(): 0 for status in Status}
        for check in self.checks:
            counts[check.status.value.lower()] += 1
        counts["total"] = len(self.checks)
        return counts

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status is Status.FAIL]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and not self.failed

    def to_json(self) -> dict[str, Any]:
        """The machine-readable report (no timings, so two runs of one plugin compare equal)."""
        return {
            "plugin": self.plugin,
            "abi": self.abi,
            "name": self.name,
            "ok": self.ok,
            "verdict": self.verdict,
            "server": self.server,
            "timeout_ms": self.timeout_ms,
            "config_keys": list(self.config_keys),
            "checks": [c.to_json() for c in self.checks],
            "summary": self.counts,
        }


# --------------------------------------------------------------------------- helpers


def _short(text: str, limit: int = MAX_DETAIL) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _schema_validator(schema: dict[str, Any]) -> Any:
    """The validator class a config schema asks for (draft-07 when it does not say)."""
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    cls.check_schema(schema)
    return cls(schema)


def _json_text(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


# --------------------------------------------------------------------------- inputs


def _sample(spec: ir.Spec, ref: ir.TypeRef, config: Any, depth: int = 0) -> Any:
    """A small valid value of a type, for exports the spec gives no example of."""
    match ref:
        case ir.Primitive(name):
            samples: dict[str, Any] = {"string": "qmt-verify", "bool": False, "json": {}}
            samples["bytes"] = []
            if name in samples:
                return samples[name]
            return 0.5 if name.startswith("f") else 1
        case ir.ListOf(item):
            return [] if depth > 4 else [_sample(spec, item, config, depth + 1)]
        case ir.MapOf():
            return {}
        case ir.TypeParam():
            return config
        case ir.Named(name):
            type_def = spec.type(name)
            if type_def.examples:
                return type_def.examples[0]
            if isinstance(type_def, ir.Struct):
                return {
                    f.wire_name: None if f.nullable else _sample(spec, f.type, config, depth + 1)
                    for f in type_def.fields
                    if f.required or not f.nullable
                }
            for variant in type_def.variants:
                if isinstance(variant.payload, ir.UnitPayload):
                    return variant.wire_name
            return None


def _valid_input(spec: ir.Spec, method: Any, config: Any, probe: bytes) -> bytes:
    """The bytes a host sends to one export: its spec example, with the configuration in `cfg`."""
    export: ir.Export = method.export
    example = export.examples[0].input if export.examples else None
    match method.kind:
        case calls.InputShape.IGNORED:
            return probe
        case calls.InputShape.TEXT:
            return (example if isinstance(example, str) else "qmt-verify").encode()
        case calls.InputShape.CONFIG:
            return _json_text(config)
        case calls.InputShape.REQUEST:
            assert export.input.type is not None
            value = example if isinstance(example, dict) else None
            if value is None:
                value = _sample(spec, export.input.type, config)
            cfg_wire = next(
                (f.wire_name for f in _struct_fields(spec, export) if f.name == method.cfg_field),
                method.cfg_field,
            )
            return _json_text({**value, cfg_wire: config})
        case calls.InputShape.JSON:
            if method.call.defaults_to_config:
                return _json_text(config)  # `is_config`: the host sends its configuration
            assert export.input.type is not None
            if example is None:
                example = _sample(spec, export.input.type, config)
            return _json_text(example)
        case other:
            assert_never(other)


def _struct_fields(spec: ir.Spec, export: ir.Export) -> tuple[ir.Field, ...]:
    ref = export.input.type
    if isinstance(ref, ir.Named):
        type_def = spec.type(ref.name)
        if isinstance(type_def, ir.Struct):
            return type_def.fields
    return ()


def default_config(base_url: str) -> dict[str, Any]:
    return {"api_key": DEFAULT_API_KEY, "base_url": base_url}


def _fill_required(config: dict[str, Any], schema: dict[str, Any], base_url: str) -> None:
    """Gives the default configuration a value for each required key the schema lists."""
    properties = schema.get("properties")
    required = schema.get("required")
    if not isinstance(properties, dict) or not isinstance(required, list):
        return
    for key in required:
        if not isinstance(key, str) or key in config:
            continue
        prop = properties.get(key)
        prop = prop if isinstance(prop, dict) else {}
        kinds = prop.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "default" in prop:
            config[key] = prop["default"]
        elif "enum" in prop and isinstance(prop["enum"], list) and prop["enum"]:
            config[key] = prop["enum"][0]
        elif "url" in key.lower() and "string" in kinds:
            config[key] = base_url
        elif "string" in kinds or kinds == [None]:
            config[key] = "qmt-verify"
        elif "boolean" in kinds:
            config[key] = False
        elif "integer" in kinds or "number" in kinds:
            config[key] = 1
        elif "array" in kinds:
            config[key] = []
        elif "object" in kinds:
            config[key] = {}


# --------------------------------------------------------------------------- the run


@dataclass
class _Outcome:
    output: bytes | None = None
    error: Exception | None = None


class _Verifier:
    def __init__(
        self,
        spec: ir.Spec,
        bindings: ModuleType,
        wasm_path: Path,
        *,
        config: Any,
        base_url: str | None,
        server: LoopbackServer | None,
        timeout_ms: int,
        progress: ProgressFn | None,
    ) -> None:
        self.spec = spec
        self.b = bindings
        self.errors = bindings.errors
        self.path = wasm_path
        self.user_config = config
        self.server = server
        self.base_url = server.base_url if server is not None else base_url or ""
        self.timeout_ms = timeout_ms
        self.progress = progress
        self.calls_done = 0
        self.calls_planned = 0
        self.report = VerifyReport(
            plugin=str(wasm_path),
            abi=spec.slug,
            server="loopback" if server is not None else self.base_url,
            timeout_ms=timeout_ms,
        )
        self.redact: Callable[[str], str] = bindings._runtime.Redactor(())
        bindings.capture_extism_log()  # for the cause of a trap
        self.methods = {m.export.name: m for m in python_target.methods(spec)}
        self.main: Any = None
        self.blocked: Any = None
        self.timed_out: set[str] = set()
        self.outcomes: dict[str, _Outcome] = {}

    # ----------------------------------------------------------------------- recording

    def add(self, check: str, export: str | None, status: Status, detail: str) -> None:
        self.report.checks.append(CheckResult(check, export, status, _short(self.redact(detail))))

    def _call(self, plugin: Any, export: str, data: bytes, what: str) -> _Outcome:
        if self.progress is not None:
            self.progress(f"{what} {export}", self.calls_done, self.calls_planned)
        try:
            return _Outcome(output=plugin.call_raw(export, data))
        except self.b.PluginError as exc:
            if isinstance(exc, self.errors.PluginTimeoutError):
                self.timed_out.add(export)
            return _Outcome(error=exc)
        finally:
            self.calls_done += 1

    def _failure(self, exc: Exception, export: ir.Export | None = None) -> str:
        """What went wrong, in words, for an error that is not the spec's error convention."""
        e = self.errors
        if isinstance(exc, e.PluginTimeoutError):
            return f"timed out after {self.timeout_ms} ms"
        if isinstance(exc, e.PluginTrapError):
            return f"trapped: {exc}"
        if isinstance(exc, e.PluginOutOfMemoryError):
            return "ran out of memory"
        if isinstance(exc, e.HostNotAllowedError):
            hint = " (does the plugin ignore the configured base URL?)" if self.base_url else ""
            return f"host not allowed: {exc.url}{hint}"
        if isinstance(exc, e.ConnectionFailedError):
            return f"HTTP failed: {exc.cause}"
        if isinstance(exc, e.MissingExportError):
            return "export not callable (not `() -> i32`?)"
        if isinstance(exc, e.PluginCallError):
            if exc.plugin_message:
                hint = ""
                if self.server is not None and export is not None and export.does_http:
                    hint = " (the loopback server speaks the OpenAI API; see --base-url)"
                return f"plugin error: {exc.plugin_message}{hint}"
            return f"returned code {exc.code} without an error message"
        return f"{type(exc).__name__}: {exc}"

    # ----------------------------------------------------------------------- module

    def run(self) -> VerifyReport:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise VerifyUsageError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            header = self.b.read_wasm_header(data)
        except (ValueError, UnicodeDecodeError) as exc:
            reason = str(exc).removeprefix("not a WebAssembly module ").strip("()")
            self.add("wasm", None, Status.FAIL, f"not WebAssembly: {reason}")
            self.report.verdict = f"not WebAssembly ({reason})"
            return self.report
        functions: frozenset[str] = header.function_exports
        self.add(
            "wasm",
            None,
            Status.PASS,
            f"WebAssembly module, {len(data):,} bytes, {_plural(len(functions), 'function export')}"
            + (", imports WASI" if header.needs_wasi else ""),
        )
        kernel = sorted(n for m, n in header.imports if m == "extism:host/env")
        if kernel:
            self.add("extism", None, Status.PASS, f"imports {len(kernel)} Extism kernel functions")
        else:
            self.add("extism", None, Status.FAIL, "imports nothing from extism:host/env")
        missing: list[str] = []
        for export in self.spec.exports:
            kind = "optional" if export.optional else "required"
            if export.name in functions:
                self.add("export", export.name, Status.PASS, f"{kind}, present")
            elif export.optional:
                self.add("export", export.name, Status.SKIP, f"{kind}, absent")
            else:
                self.add("export", export.name, Status.FAIL, f"{kind}, missing")
                missing.append(export.name)
        if missing or not kernel:
            reasons = [] if kernel else ["not an Extism module"]
            if missing:
                reasons.append("missing exports " + ", ".join(missing))
            self.report.verdict = "not a QueryMT plugin: " + "; ".join(reasons)
            return self.report
        present = [e for e in self.spec.exports if e.name in functions]
        self.calls_planned = sum(self._planned_calls(e) for e in present)
        if not self._load(data, header.needs_wasi):
            self.report.verdict = "cannot be loaded"
            return self.report
        try:
            self._exports(present)
        finally:
            self.main.close()
            self.blocked.close()
        return self.report

    def _planned_calls(self, export: ir.Export) -> int:
        count = 1
        if export.input.encoding is not ir.Encoding.IGNORED:
            count += 1
        if self.methods[export.name].kind is calls.InputShape.CONFIG:
            count += 1
        return count + (1 if export.does_http else 0)

    def _load(self, data: bytes, wasi: bool) -> bool:
        runtime, http = self.b._runtime, self.b._http
        plugin_mod = self.b.plugin
        origin = http.origin_of(self.base_url)
        hosts = [str(origin)] if origin is not None else []
        try:
            compiled = runtime.compile_module(
                data,
                wasi=wasi,
                config={},
                timeout_ms=self.timeout_ms,
                max_pages=plugin_mod.DEFAULT_MAX_PAGES,
            )
            plugins = []
            for allowed in (hosts, list(BLOCKED_HOST_ALLOWLIST)):
                policy = http.HttpPolicy(
                    http.AllowList.parse(allowed),
                    timeout_ms=self.timeout_ms,
                    max_response_bytes=plugin_mod.DEFAULT_MAX_HTTP_RESPONSE_BYTES,
                )
                pool = runtime.InstancePool(compiled, max_idle=1)
                info = plugin_mod.PluginInfo(
                    name="",
                    base_url=None,
                    exports=frozenset(e.name for e in self.spec.exports),
                    missing=frozenset(),
                    extra_exports=(),
                    config_schema={},
                    allowed_hosts=tuple(allowed),
                    wasi=wasi,
                )
                plugin = self.b.Plugin(
                    info=info, pool=pool, config=None, config_json=None, http=policy
                )
                # Instantiate now: link errors (and a looping initializer) show here.
                pool.release(pool.acquire(plugin._new_state))
                plugins.append(plugin)
        except self.b.PluginError as exc:
            self.add("load", None, Status.FAIL, str(exc))
            return False
        self.main, self.blocked = plugins
        self.add(
            "load",
            None,
            Status.PASS,
            f"compiled and instantiated (WASI {'on' if wasi else 'off'}, "
            f"allowed hosts: {', '.join(hosts) or 'none'})",
        )
        return True

    # ----------------------------------------------------------------------- exports

    def _exports(self, present: list[ir.Export]) -> None:
        probe: bytes = self.b.plugin.PROBE_INPUT
        schema_export = next(
            (e for e in present if e.output.content_type == SCHEMA_CONTENT_TYPE), None
        )
        config_schema: dict[str, Any] | None = None
        if schema_export is not None:
            outcome = self._main_call(schema_export, probe)
            if outcome.output is not None:
                try:
                    parsed = json.loads(outcome.output.decode("utf-8"))
                except ValueError:
                    parsed = None
                config_schema = parsed if isinstance(parsed, dict) else None
        config = self._config(config_schema)
        self.report.config_keys = tuple(config) if isinstance(config, dict) else ()
        self.redact = self.b._runtime.Redactor(self.b._runtime.secret_values(config))
        for export in self.spec.exports:
            if export not in present:
                continue
            method = self.methods[export.name]
            data = _valid_input(self.spec, method, config, probe)
            outcome = self._main_call(export, data)
            value = self._check_output(export, outcome)
            if export.output.content_type == SCHEMA_CONTENT_TYPE:
                self._check_schema_document(export, value, config)
            self._check_bad_input(export, method, config_schema)
            if export.does_http:
                self._check_allowed_hosts(export, data)

    def _main_call(self, export: ir.Export, data: bytes) -> _Outcome:
        if export.name not in self.outcomes:
            self.outcomes[export.name] = self._call(self.main, export.name, data, "calling")
        return self.outcomes[export.name]

    def _config(self, schema: dict[str, Any] | None) -> Any:
        """The configuration sent to the plugin: pruned of keys its schema does not list."""
        if self.user_config is not None:
            config = self.user_config
        else:
            config = default_config(self.base_url)
            if schema is not None:
                _fill_required(config, schema, self.base_url)
        if schema is not None:
            config = self.b.plugin.prune_config(config, schema)
        return config

    def _check_output(self, export: ir.Export, outcome: _Outcome) -> Any:
        """`call`, `encoding` and `schema` of one export; returns the decoded output."""
        name = export.name
        if outcome.output is None:
            assert outcome.error is not None
            self.add("call", name, Status.FAIL, self._failure(outcome.error, export))
            for check in ("encoding", "schema"):
                self.add(check, name, Status.SKIP, "no output")
            return None
        raw = outcome.output
        self.add("call", name, Status.PASS, f"answered {_plural(len(raw), 'byte')}")
        payload = export.output
        value: Any
        try:
            if payload.empty_is_none and not raw:
                value, what = None, "empty (none)"
            elif payload.encoding in (ir.Encoding.IGNORED, ir.Encoding.EMPTY):
                if raw:
                    raise ValueError(f"expected empty output, got {_plural(len(raw), 'byte')}")
                value, what = None, "empty"
            elif payload.encoding is ir.Encoding.UTF8:
                value = raw.decode("utf-8")
                what = f"UTF-8 text {_short(json.dumps(value, ensure_ascii=False), 60)}"
            else:
                value, what = json.loads(raw.decode("utf-8")), "JSON"
        except UnicodeDecodeError as exc:
            self.add(
                "encoding",
                name,
                Status.FAIL,
                f"not UTF-8 ({exc.reason} at byte {exc.start}); spec: {payload.encoding.value}",
            )
            self.add("schema", name, Status.SKIP, "output not decoded")
            return None
        except ValueError as exc:
            detail = str(exc) if payload.encoding is not ir.Encoding.JSON else f"not JSON: {exc}"
            self.add("encoding", name, Status.FAIL, detail)
            self.add("schema", name, Status.SKIP, "output not decoded")
            return None
        self.add("encoding", name, Status.PASS, what)
        if name == self.spec.host.roles.display_name and isinstance(value, str):
            self.report.name = value
        validator = jsonschema_target.validator_for_payload(self.spec, export, "output")
        assert validator is not None  # outputs always have one
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.absolute_path) or "(root)"
            more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
            self.add("schema", name, Status.FAIL, f"{where}: {first.message}{more}")
        else:
            self.add("schema", name, Status.PASS, f"valid {name}.output")
        return value

    def _check_schema_document(self, export: ir.Export, value: Any, config: Any) -> None:
        name = export.name
        document: Any = None
        if isinstance(value, str):
            try:
                document = json.loads(value)
            except ValueError as exc:
                self.add("json-schema", name, Status.FAIL, f"not JSON: {exc}")
        if value is None:
            self.add("json-schema", name, Status.SKIP, "no output")
        elif document is not None and not isinstance(document, dict):
            self.add("json-schema", name, Status.FAIL, "not a JSON object")
            document = None
        elif isinstance(document, dict):
            try:
                _schema_validator(document)
            except jsonschema.SchemaError as exc:
                where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
                self.add("json-schema", name, Status.FAIL, f"metaschema: {where}: {exc.message}")
                document = None
            else:
                draft = jsonschema.validators.validator_for(
                    document, default=jsonschema.Draft7Validator
                ).__name__.removesuffix("Validator")
                props = document.get("properties")
                keys = f", {len(props)} properties" if isinstance(props, dict) else ""
                self.add("json-schema", name, Status.PASS, f"valid JSON Schema ({draft}){keys}")
        if not isinstance(document, dict):
            self.add("config", name, Status.SKIP, "no usable config schema")
            return
        keys = ", ".join(config) if isinstance(config, dict) else type(config).__name__
        # The bindings' check: bounded (linear-time patterns, nothing fetched, depth limits).
        problems = self.b.plugin._schema_problems(config, document)
        if problems:
            hint = "" if self.user_config is not None else "; pass one with --config"
            self.add(
                "config",
                name,
                Status.FAIL,
                f"the configuration fails it: {'; '.join(problems)}{hint}",
            )
        else:
            note = ""
            if (
                isinstance(config, dict)
                and self.user_config is None
                and self.base_url not in config.values()
            ):
                note = " (lists no base URL key: HTTP goes to the plugin's own base URL)"
            self.add(
                "config", name, Status.PASS, f"the configuration passes it (keys {keys}){note}"
            )

    def _check_bad_input(
        self, export: ir.Export, method: Any, config_schema: dict[str, Any] | None
    ) -> None:
        name = export.name
        cases: list[tuple[str, bytes | None, str]] = []
        match export.input.encoding:
            case ir.Encoding.JSON:
                cases.append(("malformed-input", MALFORMED_JSON, "malformed JSON"))
            case ir.Encoding.UTF8:
                cases.append(("malformed-input", INVALID_UTF8, "invalid UTF-8"))
            case ir.Encoding.IGNORED | ir.Encoding.EMPTY | ir.Encoding.BYTES:
                pass
        if method.kind is calls.InputShape.CONFIG:
            invalid = self._invalid_config(config_schema)
            if invalid is None:
                cases.append(("invalid-config", None, "the config_schema accepts any value"))
            else:
                text = _json_text(invalid)
                cases.append(("invalid-config", text, f"config {text.decode()}"))
        for check, data, what in cases:
            if data is None:
                self.add(check, name, Status.SKIP, what)
                continue
            if name in self.timed_out:
                self.calls_done += 1
                self.add(check, name, Status.SKIP, "the export already timed out")
                continue
            outcome = self._call(self.main, name, data, check)
            exc = outcome.error
            if exc is None:
                self.add(check, name, Status.FAIL, f"{what} accepted: expected an error message")
            elif isinstance(exc, self.errors.PluginCallError) and exc.plugin_message:
                self.add(check, name, Status.PASS, f"{what} rejected: {exc.plugin_message}")
            else:
                self.add(check, name, Status.FAIL, f"{what}: {self._failure(exc)}")

    def _invalid_config(self, schema: dict[str, Any] | None) -> Any:
        if schema is None:
            return INVALID_CONFIG_CANDIDATES[1]
        try:
            _schema_validator(schema)
        except jsonschema.SchemaError:
            return INVALID_CONFIG_CANDIDATES[1]
        for candidate in INVALID_CONFIG_CANDIDATES:
            if self.b.plugin._schema_problems(candidate, schema):
                return candidate
        return None

    def _check_allowed_hosts(self, export: ir.Export, data: bytes) -> None:
        name = export.name
        if name in self.timed_out:
            self.calls_done += 1
            self.add("allowed-hosts", name, Status.SKIP, "the export already timed out")
            return
        before = len(self.server.requests) if self.server is not None else 0
        outcome = self._call(self.blocked, name, data, "allowed-hosts")
        reached = (len(self.server.requests) - before) if self.server is not None else 0
        exc = outcome.error
        if reached:
            self.add(
                "allowed-hosts",
                name,
                Status.FAIL,
                f"the server received {_plural(reached, 'request')} despite the allow-list",
            )
        elif isinstance(exc, self.errors.HostNotAllowedError):
            observed = "" if self.server is not None else " (not observable with --base-url)"
            self.add(
                "allowed-hosts",
                name,
                Status.PASS,
                f"host not allowed: {exc.url}; the server received nothing{observed}",
            )
        elif exc is None:
            self.add("allowed-hosts", name, Status.FAIL, "answered: expected host-not-allowed")
        else:
            self.add(
                "allowed-hosts",
                name,
                Status.FAIL,
                f"expected host-not-allowed, got {self._failure(exc)}",
            )


@contextmanager
def _maybe_server(
    base_url: str | None, server: LoopbackServer | None
) -> Iterator[LoopbackServer | None]:
    if server is not None or base_url is not None:
        yield server
        return
    with LoopbackServer() as started:
        yield started


def verify_plugin(
    wasm: Path,
    *,
    config: Any = None,
    base_url: str | None = None,
    server: LoopbackServer | None = None,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    spec: ir.Spec | None = None,
    progress: ProgressFn | None = None,
) -> VerifyReport:
    """Runs every check of `spec` (default: v1) against the plugin in `wasm`.

    - `config`: the plugin configuration (default `{"api_key": "sk-verify", "base_url": <server>}`,
      with required keys the plugin's config_schema lists filled in); pruned like the host does.
    - `base_url`: a server to use instead of the built-in loopback server; `server`: a running
      loopback server to use (its recorded requests let `allowed-hosts` prove none arrived).
    - `timeout_ms`: the manifest timeout of each call.

    Raises VerifyUsageError when the invocation is wrong (file missing, bad base URL).
    """
    if timeout_ms <= 0:
        raise VerifyUsageError("the timeout must be a positive number of milliseconds")
    if base_url is not None and server is not None:
        raise VerifyUsageError("give a base URL or a server, not both")
    if not wasm.exists():
        raise VerifyUsageError(f"{wasm} does not exist")
    if not wasm.is_file():
        raise VerifyUsageError(f"{wasm} is not a file")
    spec = spec if spec is not None else load_spec(DEFAULT_SPEC)
    bindings = load_bindings(spec)
    if base_url is not None and bindings._http.origin_of(base_url) is None:
        raise VerifyUsageError(
            f"--base-url must be an absolute http(s) URL with a literal host, not {base_url!r}"
        )
    started = time.perf_counter()
    with _maybe_server(base_url, server) as active:
        verifier = _Verifier(
            spec,
            bindings,
            wasm,
            config=config,
            base_url=base_url,
            server=active,
            timeout_ms=timeout_ms,
            progress=progress,
        )
        report = verifier.run()
    report.elapsed_s = time.perf_counter() - started
    if not report.verdict:
        failed = report.failed
        if failed:
            names = ", ".join(f"{c.check} {c.export or ''}".strip() for c in failed[:6])
            more = ", ..." if len(failed) > 6 else ""
            report.verdict = (
                f"does not conform to {spec.slug}: {_plural(len(failed), 'check')} failed "
                f"({names}{more})"
            )
        else:
            report.verdict = f"conforms to {spec.slug}"
    return report


# --------------------------------------------------------------------------- command line


def render_table(report: VerifyReport, console: Any) -> None:
    from rich.table import Table

    styles = {Status.PASS: "green", Status.FAIL: "bold red", Status.SKIP: "yellow"}
    table = Table(title=f"{report.plugin} ({report.abi})", title_justify="left")
    table.add_column("check", no_wrap=True)
    table.add_column("export", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("detail", overflow="fold")
    for check in report.checks:
        style = styles[check.status]
        table.add_row(
            check.check, check.export or "-", f"[{style}]{check.status.value}[/]", check.detail
        )
    console.print(table, markup=True, highlight=False)
    counts = report.counts
    console.print(
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped "
        f"in {report.elapsed_s:.2f} s",
        highlight=False,
    )
    colour = "green" if report.ok else "bold red"
    console.print(f"[{colour}]verdict:[/] {report.verdict}", highlight=False)


def verify_command(
    plugin: Annotated[Path, typer.Argument(help="The plugin's .wasm file.", show_default=False)],
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            help="Plugin configuration: a JSON file or inline JSON "
            '(default {"api_key": "sk-verify", "base_url": <server>}).',
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Use this server instead of the built-in loopback server."),
    ] = None,
    timeout_ms: Annotated[
        int, typer.Option("--timeout-ms", min=1, help="Per-call timeout in milliseconds.")
    ] = DEFAULT_TIMEOUT_MS,
    json_path: Annotated[
        str | None,
        typer.Option("--json", help="Also write a JSON report to this file ('-': stdout)."),
    ] = None,
    spec_path: Annotated[Path, typer.Option("--spec", help="The ABI spec.")] = DEFAULT_SPEC,
) -> None:
    """Run the spec's conformance checks against a plugin; exit 0 only if all pass."""
    from rich.console import Console

    out = Console(stderr=json_path == "-", soft_wrap=False, highlight=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out.width = 160  # a log or a pipe: one line per check rather than wrapped details
    err = Console(stderr=True)
    try:
        cfg = read_json_arg(config, "--config") if config is not None else None
        if config is not None and not isinstance(cfg, dict):
            raise VerifyUsageError("--config must be a JSON object")
        try:
            spec = load_spec(spec_path)
        except Exception as exc:  # a SpecError renders itself; anything else is a path problem
            render = getattr(exc, "render", None)
            raise VerifyUsageError(
                render() if callable(render) else f"cannot load {spec_path}: {exc}"
            ) from None
        with err.status("verifying…", spinner="dots") as status:

            def progress(what: str, done: int, total: int) -> None:
                status.update(f"verifying: {what} ({done}/{total})")

            report = verify_plugin(
                plugin,
                config=cfg,
                base_url=base_url,
                timeout_ms=timeout_ms,
                spec=spec,
                progress=progress,
            )
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exit_codes.USAGE) from None
    render_table(report, out)
    if json_path is not None:
        text = json.dumps(report.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        if json_path == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(json_path).write_text(text, encoding="utf-8")
            except OSError as exc:
                typer.echo(f"error: cannot write {json_path}: {exc.strerror}", err=True)
                raise typer.Exit(exit_codes.USAGE) from None
    if not report.ok:
        raise typer.Exit(exit_codes.FAILED)


VERIFY_EPILOG = exit_codes.epilog(
    "no check failed (skipped optional exports are fine)",
    "a check failed, including 'not WebAssembly' and missing required exports",
    "bad usage: a missing file, bad JSON in --config, a bad --base-url or --timeout-ms",
)


def register(app: typer.Typer) -> None:
    """Adds `verify` to the `qmt-abigen` app."""
    app.command("verify", epilog=VERIFY_EPILOG)(verify_command)
