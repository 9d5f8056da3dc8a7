"""`malformed-body`: an export that parses a 2xx response (`ir.exchange` PARSES_RESPONSE) refuses
a body that is not its provider's format with the spec's typed error (return code 1 and a valid
error document), not free text and not a trap. The body is an HTML error page, which no
provider's format is, so the check needs no recording."""

from __future__ import annotations

import json

from generator import ir
from generator.conformance import http_wire
from generator.conformance.context import CheckContext
from generator.conformance.report import Status
from generator.ir import calls, exchange

MALFORMED_BODY = b"<html><body><h1>502 Bad Gateway</h1>qmt-verify</body></html>"
"""What a proxy in front of a provider answers with status 200 more often than one would hope."""


class MalformedBodyCheck:
    name = "malformed-body"

    def applies(self, spec: ir.Spec, call: calls.Call) -> bool:
        part = exchange.part_of(spec, call.export.name, exchange.Role.PARSES_RESPONSE)
        typed = any(f.shape is calls.FailureShape.TYPED for f in call.failures)
        return part is not None and typed

    def planned_calls(self, call: calls.Call) -> int:
        return 1

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        name = call.export.name
        part = exchange.part_of(ctx.spec, name, exchange.Role.PARSES_RESPONSE)
        assert part is not None
        if name in ctx.timed_out:
            ctx.skip_call()
            ctx.add(self.name, name, Status.SKIP, "the export already timed out")
            return
        answer = http_wire.answer(200, MALFORMED_BODY, {"content-type": "application/json"})
        data = ctx.response_input(call, part, answer)
        failure = ctx.call(ctx.module.main, name, data, self.name).failure
        if failure is None:
            ctx.add(self.name, name, Status.FAIL, "an HTML body with status 200 was accepted")
            return
        document, problem = ctx.typed_error(call, failure)
        if problem is not None:
            ctx.add(self.name, name, Status.FAIL, f"an HTML body: {problem}")
            return
        ctx.add(
            self.name,
            name,
            Status.PASS,
            f"an HTML body refused with a typed error: {json.dumps(document, ensure_ascii=False)}",
        )
