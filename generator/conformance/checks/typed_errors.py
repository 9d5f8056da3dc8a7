"""`typed-errors`: an export that turns a non-2xx response into a typed error (`ir.exchange`
CLASSIFIES_ERROR) classifies a 429 with `Retry-After` and a 401 as the spec's own status
classifiers do (any of them: their rules' results are the expected payloads) and carries the
retry hint; its output is a valid document of its type. The body is the recorded error body."""

from __future__ import annotations

import json
from typing import Any

from generator import ir
from generator.conformance import http_wire
from generator.conformance.context import CheckContext
from generator.conformance.report import Status
from generator.ir import calls, exchange

RETRY_AFTER_S = 7
CASES: tuple[tuple[int, dict[str, str]], ...] = (
    (429, {"retry-after": str(RETRY_AFTER_S)}),
    (401, {}),
)


class TypedErrorsCheck:
    name = "typed-errors"

    def applies(self, spec: ir.Spec, call: calls.Call) -> bool:
        part = exchange.part_of(spec, call.export.name, exchange.Role.CLASSIFIES_ERROR)
        return part is not None and _payload_field(spec, call) is not None

    def planned_calls(self, call: calls.Call) -> int:
        return len(CASES)

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        name = call.export.name
        part = exchange.part_of(ctx.spec, name, exchange.Role.CLASSIFIES_ERROR)
        assert part is not None
        recording = ctx.responses.get("error")
        body = recording.body if recording is not None else b""
        problems: list[str] = []
        seen: list[str] = []
        for status, extra in CASES:
            if name in ctx.timed_out:
                ctx.skip_call()
                problems.append(f"{status}: the export already timed out")
                continue
            headers = {"content-type": "application/json", **extra}
            data = ctx.response_input(call, part, http_wire.answer(status, body, headers))
            outcome = ctx.call(ctx.module.main, name, data, self.name)
            if outcome.output is None:
                assert outcome.failure is not None
                problems.append(f"{status}: {ctx.describe(outcome.failure, call.export)}")
                continue
            problem, shown = _judge(ctx, call, status, outcome.output, "retry-after" in extra)
            if problem is not None:
                problems.append(f"{status}: {problem}")
            else:
                seen.append(f"{status} -> {shown}")
        if problems:
            ctx.add(self.name, name, Status.FAIL, "; ".join(problems))
        else:
            ctx.add(self.name, name, Status.PASS, "; ".join(seen))


def _payload_field(spec: ir.Spec, call: calls.Call) -> ir.Field | None:
    """The output struct's field of the classifiers' type (the error payload)."""
    output = call.export.output.type
    if not isinstance(output, ir.Named) or not spec.classifiers:
        return None
    struct = spec.type(output.name)
    if not isinstance(struct, ir.Struct):
        return None
    types = {c.type for c in spec.classifiers}
    return next((f for f in struct.fields if f.type in types), None)


def _expected(spec: ir.Spec, status: int) -> list[tuple[dict[str, Any], str | None]]:
    """Each classifier's result for `status`, with the name of its retry-hint field."""
    found = []
    for classifier in spec.classifiers:
        for rule in classifier.rules:
            if not rule.statuses or any(lo <= status <= hi for lo, hi in rule.statuses):
                if isinstance(rule.result, dict):
                    retry = next(
                        (k for k, v in classifier.fills if isinstance(v, int) and "retry" in k),
                        None,
                    )
                    found.append((rule.result, retry))
                break
    return found


def _judge(
    ctx: CheckContext, call: calls.Call, status: int, raw: bytes, has_retry: bool
) -> tuple[str | None, str]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return f"not JSON: {exc}", ""
    problem = ctx.type_problem(call.export.output.type, value)
    if problem is not None:
        return problem, ""
    field = _payload_field(ctx.spec, call)
    assert field is not None
    payload = value.get(field.wire_name) if isinstance(value, dict) else None
    if not isinstance(payload, dict):
        return f"no `{field.wire_name}` object", ""
    shown = ", ".join(f"{k}={payload[k]}" for k in sorted(payload) if k != "message")
    expected = _expected(ctx.spec, status)
    for result, retry in expected:
        if all(payload.get(k) == v for k, v in result.items()):
            if has_retry and retry is not None and payload.get(retry) != RETRY_AFTER_S:
                return f"{shown}: `{retry}` is not the Retry-After of {RETRY_AFTER_S} s", shown
            return None, shown
    wanted = " or ".join(json.dumps(r, sort_keys=True) for r, _ in expected) or "nothing"
    return f"classified as {shown}, expected {wanted}", shown
