"""What a check runs with: the spec, the loaded plugin, the configuration, the server, and the
report it records into. The runner builds one per run; checks read it and call through it, so
the runner can count each check's plugin calls (`call`, `skip_call`) against its plan."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from generator import ir
from generator.conformance import http_wire
from generator.conformance.inputs import json_text, valid_input
from generator.conformance.loopback_server import LoopbackServer
from generator.conformance.report import CheckResult, Status, VerifyReport, short
from generator.conformance.responses import Responses, load_responses
from generator.hosttools import bindings as seam
from generator.ir import calls, exchange
from generator.ir import schema as ir_schema

ProgressFn = Callable[[str, int, int], None]
"""Called before each plugin call: (what, calls done, calls planned)."""


@dataclass
class Outcome:
    """One plugin call: its output, or what went wrong."""

    output: bytes | None = None
    failure: seam.PluginFailure | None = None


@dataclass(frozen=True)
class Exchanged:
    """The response of one protocol's request: the server's answer, or the recording."""

    answer: seam.HttpAnswer
    source: str
    recorded: bool
    """The answer is the recording (replayed by the loopback server, or used directly)."""


@dataclass
class Module:
    """What the module checks found: the file, its header, the spec's exports it has, and the
    two loaded plugins (`main` may reach the server, `blocked` may reach no host of it)."""

    data: bytes = b""
    header: seam.WasmHeader | None = None
    present: tuple[ir.Export, ...] = ()
    main: seam.RawPlugin | None = None
    blocked: seam.RawPlugin | None = None


@dataclass
class CheckContext:
    spec: ir.Spec
    bindings: seam.Bindings
    path: Path
    user_config: Any
    """The configuration given to `verify` (None: the default one)."""
    server: LoopbackServer | None
    base_url: str
    timeout_ms: int
    report: VerifyReport
    progress: ProgressFn | None = None
    module: Module = field(default_factory=Module)
    config: Any = None
    """The configuration sent to the plugin (pruned to its config_schema)."""
    config_schema: dict[str, Any] | None = None
    """The plugin's configuration schema, if its schema export answered a JSON object."""
    decoded: dict[str, Any] = field(default_factory=dict)
    """Each export's decoded output (None when there is none), for the checks after `call`."""
    timed_out: set[str] = field(default_factory=set)
    declined: dict[str, str] = field(default_factory=dict)
    """Exports that answered the spec's typed "not implemented" error, with the row's detail."""
    calls_done: int = 0
    calls_planned: int = 0
    charged: int = 0
    """Plugin calls the running check made or accounted for; the runner resets it per check."""
    extra_calls: int = 0
    """Calls the running check declared on top of its plan (`expect_calls`)."""
    responses: Responses = field(default_factory=lambda: load_responses(None))
    exchanges: dict[str, Exchanged] = field(default_factory=dict)
    """Each protocol's response, as the request check received it."""
    detection: seam.Detected | seam.Undetected | None = None
    """What the runtime's ABI detection said (None: `--spec` chose the spec)."""
    _outcomes: dict[str, Outcome] = field(default_factory=dict)
    _validators: dict[str, jsonschema.protocols.Validator] = field(default_factory=dict)
    _inputs: dict[str, bytes] = field(default_factory=dict)
    redact: seam.Redact = field(default=str)

    # ----------------------------------------------------------------------- recording

    def add(self, check: str, export: str | None, status: Status, detail: str) -> None:
        self.report.checks.append(CheckResult(check, export, status, short(self.redact(detail))))

    # ----------------------------------------------------------------------- calling

    def call(self, plugin: seam.RawPlugin | None, export: str, data: bytes, what: str) -> Outcome:
        """One plugin call, shown on the progress line and counted for the running check."""
        assert plugin is not None, "the load check did not run"
        if self.progress is not None:
            self.progress(f"{what} {export}", self.calls_done, self.calls_planned)
        self.charged += 1
        try:
            result = self.bindings.call_raw(plugin, export, data)
        finally:
            self.calls_done += 1
        if isinstance(result, seam.PluginFailure):
            if result.kind is seam.FailureKind.TIMEOUT:
                self.timed_out.add(export)
            return Outcome(failure=result)
        return Outcome(output=result)

    def expect_calls(self, count: int) -> None:
        """Declares `count` calls beyond the check's plan, known only now (one per line fed)."""
        self.extra_calls += count
        self.calls_planned += count

    def skip_call(self) -> None:
        """A planned call not made (the export already timed out, nothing to send)."""
        self.charged += 1
        self.calls_done += 1

    def main_call(self, export: ir.Export, data: bytes) -> Outcome:
        """The export's call with a valid input on the main plugin, made once per run."""
        if export.name in self._outcomes:
            self.charged += 1  # made before the check ran (the config_schema call): its call
        else:
            self._outcomes[export.name] = self.call(self.module.main, export.name, data, "calling")
        return self._outcomes[export.name]

    def valid_input(self, export: ir.Export) -> bytes:
        """What the host sends to `export` (the configuration must be known); for an export
        that parses a response, the response its protocol's request got (or the recording)."""
        if export.name not in self._inputs:
            call = calls.call_of(self.spec, export)
            part = exchange.part_of(self.spec, export.name, exchange.Role.PARSES_RESPONSE)
            exchanged = self.exchanged(part.protocol) if part is not None else None
            if part is not None and exchanged is not None:
                data = self.response_input(call, part, exchanged.answer)
            else:
                data = valid_input(self.spec, call, self.config, self.bindings.probe_input)
            self._inputs[export.name] = data
        return self._inputs[export.name]

    def exchanged(self, protocol: str) -> Exchanged | None:
        """The protocol's response: what the server answered its request, else the recording."""
        if protocol in self.exchanges:
            return self.exchanges[protocol]
        recording = self.responses.get(protocol)
        if recording is None:
            return None
        headers = {"content-type": recording.content_type}
        answer = http_wire.answer(200, recording.body, headers)
        return Exchanged(answer, f"the recording {recording.name}", recorded=True)

    def response_input(
        self, call: calls.Call, part: exchange.Part, answer: seam.HttpAnswer
    ) -> bytes:
        """The input of an export that takes a response: the response, and the configuration
        in the request's configuration field if it has one."""
        assert part.response_field is not None
        value: dict[str, Any] = {part.response_field.wire_name: http_wire.response_value(answer)}
        if call.cfg_field is not None:
            value[call.cfg_field.wire_name] = self.config
        return json_text(value)

    def type_problem(self, ref: ir.TypeRef | None, value: Any) -> str | None:
        """Why `value` is not of the spec's type `ref` (a named type), or None."""
        if not isinstance(ref, ir.Named):
            return None
        if not self._validators:
            self._validators.update(ir_schema.type_validators(self.spec))
        errors = sorted(
            self._validators[ref.name].iter_errors(value), key=lambda e: list(e.absolute_path)
        )
        if not errors:
            return None
        first = errors[0]
        path = "/".join(str(p) for p in first.absolute_path) or "(root)"
        return f"not a {ref.name}: {path}: {first.message}"

    def typed_error(self, call: calls.Call, failure: seam.PluginFailure) -> tuple[Any, str | None]:
        """The failure's message read as the call's typed error document: (document, problem);
        problem None means a valid one."""
        typed = next((f for f in call.failures if f.shape is calls.FailureShape.TYPED), None)
        if typed is None:
            return None, "the spec gives this export no typed error"
        if failure.kind is not seam.FailureKind.CALL_ERROR or not failure.plugin_message:
            return None, self.describe(failure, call.export)
        try:
            document = json.loads(failure.plugin_message)
        except ValueError:
            return None, f"free text, not a typed error: {failure.plugin_message}"
        return document, self.type_problem(typed.type, document)

    # ----------------------------------------------------------------------- describing

    def describe(self, failure: seam.PluginFailure, export: ir.Export | None = None) -> str:
        """What went wrong, in words, for a failure that is not the spec's error convention."""
        kind = seam.FailureKind
        match failure.kind:
            case kind.TIMEOUT:
                return f"timed out after {self.timeout_ms} ms"
            case kind.TRAP:
                return f"trapped: {failure}"
            case kind.OUT_OF_MEMORY:
                return "ran out of memory"
            case kind.HOST_NOT_ALLOWED:
                hint = " (does the plugin ignore the configured base URL?)" if self.base_url else ""
                return f"host not allowed: {failure.url}{hint}"
            case kind.CONNECTION_FAILED:
                return f"HTTP failed: {failure.cause}"
            case kind.MISSING_EXPORT:
                return "export not callable (not `() -> i32`?)"
            case kind.CALL_ERROR:
                if failure.plugin_message:
                    hint = ""
                    if self.server is not None and export is not None and export.does_http:
                        hint = " (the loopback server speaks the OpenAI API; see --base-url)"
                    return f"plugin error: {failure.plugin_message}{hint}"
                return f"returned code {failure.code} without an error message"
            case _:
                return f"{failure.type_name}: {failure}"
