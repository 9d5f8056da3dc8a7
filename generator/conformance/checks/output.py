"""`call`, `encoding`, `schema`: the export answers a valid input without error, its output has
the spec's encoding, and the decoded output validates against the export's JSON Schema."""

from __future__ import annotations

import json
from typing import Any

from generator import ir
from generator.conformance.context import CheckContext, Outcome
from generator.conformance.report import Status, plural, short, where
from generator.hosttools.bindings import PluginFailure
from generator.ir import calls, exchange
from generator.ir import schema as ir_schema


class OutputCheck:
    name = "call"

    def applies(self, spec: ir.Spec, call: calls.Call) -> bool:
        return True

    def planned_calls(self, call: calls.Call) -> int:
        return 1

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        export = call.export
        outcome = ctx.main_call(export, ctx.valid_input(export))
        ctx.decoded[export.name] = self._check(ctx, export, outcome)

    def _check(self, ctx: CheckContext, export: ir.Export, outcome: Outcome) -> Any:
        name = export.name
        if outcome.output is None:
            assert outcome.failure is not None
            if _declined(ctx, export, outcome.failure):
                return None
            ctx.add("call", name, Status.FAIL, ctx.describe(outcome.failure, export))
            for check in ("encoding", "schema"):
                ctx.add(check, name, Status.SKIP, "no output")
            return None
        raw = outcome.output
        ctx.add(
            "call", name, Status.PASS, f"answered {plural(len(raw), 'byte')}{_source(ctx, name)}"
        )
        decoded = _decode(ctx, export, raw)
        if decoded is None:
            ctx.add("schema", name, Status.SKIP, "output not decoded")
            return None
        value, what = decoded
        ctx.add("encoding", name, Status.PASS, what)
        if name == ctx.spec.host.roles.display_name and isinstance(value, str):
            ctx.report.name = value
        validator = ir_schema.validator_for_payload(ctx.spec, export, "output")
        assert validator is not None  # outputs always have one
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
            detail = f"{where(first.absolute_path)}: {first.message}{more}"
            ctx.add("schema", name, Status.FAIL, detail)
        else:
            ctx.add("schema", name, Status.PASS, f"valid {name}.output")
        return value


DECLINED_VARIANT = "not_implemented"
"""The wire name of the typed error a plugin answers for an operation its provider lacks
(QueryMT's `LLMError::NotImplemented`): a conforming answer, not a failure."""


def _declined(ctx: CheckContext, export: ir.Export, failure: PluginFailure) -> bool:
    """Records the rows of a call answered with the typed "not implemented" error (a valid
    document of the spec's error type whose payload is tagged `not_implemented`)."""
    call = calls.call_of(ctx.spec, export)
    document, problem = ctx.typed_error(call, failure)
    if problem is not None or not isinstance(document, dict):
        return False
    payloads = [v for v in document.values() if isinstance(v, dict)]
    if not any(DECLINED_VARIANT in p.values() for p in payloads):
        return False
    message = next((str(p.get("message", "")) for p in payloads), "")
    detail = f"declines with the typed {DECLINED_VARIANT} error: {message}"
    ctx.declined[export.name] = detail
    ctx.add("call", export.name, Status.PASS, detail)
    ctx.add("encoding", export.name, Status.PASS, "JSON error document")
    ctx.add("schema", export.name, Status.PASS, "a valid typed error document")
    return True


def _source(ctx: CheckContext, name: str) -> str:
    part = exchange.part_of(ctx.spec, name, exchange.Role.PARSES_RESPONSE)
    exchanged = ctx.exchanged(part.protocol) if part is not None else None
    return f" to {exchanged.source}" if exchanged is not None else ""


def _decode(ctx: CheckContext, export: ir.Export, raw: bytes) -> tuple[Any, str] | None:
    """The output decoded the spec's way and how it was, or None (an `encoding` failure)."""
    payload = export.output
    try:
        if payload.empty_is_none and not raw:
            return None, "empty (none)"
        if payload.encoding in (ir.Encoding.IGNORED, ir.Encoding.EMPTY):
            if raw:
                raise ValueError(f"expected empty output, got {plural(len(raw), 'byte')}")
            return None, "empty"
        if payload.encoding is ir.Encoding.UTF8:
            text = raw.decode("utf-8")
            return text, f"UTF-8 text {short(json.dumps(text, ensure_ascii=False), 60)}"
        return json.loads(raw.decode("utf-8")), "JSON"
    except UnicodeDecodeError as exc:
        detail = f"not UTF-8 ({exc.reason} at byte {exc.start}); spec: {payload.encoding.value}"
        ctx.add("encoding", export.name, Status.FAIL, detail)
    except ValueError as exc:
        detail = str(exc) if payload.encoding is not ir.Encoding.JSON else f"not JSON: {exc}"
        ctx.add("encoding", export.name, Status.FAIL, detail)
    return None
