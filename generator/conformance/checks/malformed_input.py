"""`malformed-input`: input that is not the spec's encoding (malformed JSON, invalid UTF-8)
fails the spec's way, with an error message, not a trap."""

from __future__ import annotations

from generator import ir
from generator.conformance.context import CheckContext
from generator.conformance.inputs import INVALID_UTF8, MALFORMED_JSON
from generator.conformance.report import Status
from generator.hosttools.bindings import FailureKind
from generator.ir import calls

_BAD_INPUT = {
    ir.Encoding.JSON: (MALFORMED_JSON, "malformed JSON"),
    ir.Encoding.UTF8: (INVALID_UTF8, "invalid UTF-8"),
}


def send_bad_input(ctx: CheckContext, check: str, export: str, data: bytes, what: str) -> None:
    """Sends input the export must reject with an error message (shared with invalid-config)."""
    if export in ctx.timed_out:
        ctx.skip_call()
        ctx.add(check, export, Status.SKIP, "the export already timed out")
        return
    failure = ctx.call(ctx.module.main, export, data, check).failure
    if failure is None:
        ctx.add(check, export, Status.FAIL, f"{what} accepted: expected an error message")
    elif failure.kind is FailureKind.CALL_ERROR and failure.plugin_message:
        ctx.add(check, export, Status.PASS, f"{what} rejected: {failure.plugin_message}")
    else:
        ctx.add(check, export, Status.FAIL, f"{what}: {ctx.describe(failure)}")


class MalformedInputCheck:
    name = "malformed-input"

    def applies(self, spec: ir.Spec, call: calls.Call) -> bool:
        return call.export.input.encoding in _BAD_INPUT

    def planned_calls(self, call: calls.Call) -> int:
        return 1

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        data, what = _BAD_INPUT[call.export.input.encoding]
        send_bad_input(ctx, self.name, call.export.name, data, what)
