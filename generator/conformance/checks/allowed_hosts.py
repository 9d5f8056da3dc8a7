"""`allowed-hosts`: with an allow-list that excludes the server, an HTTP export fails cleanly with
host-not-allowed, and the loopback server receives nothing."""

from __future__ import annotations

from generator import ir
from generator.conformance.context import CheckContext
from generator.conformance.report import Status, plural
from generator.hosttools.bindings import FailureKind, PluginFailure
from generator.ir import calls


class AllowedHostsCheck:
    name = "allowed-hosts"

    def applies(self, spec: ir.Spec, call: calls.Call) -> bool:
        return call.export.does_http

    def planned_calls(self, call: calls.Call) -> int:
        return 1

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        name = call.export.name
        if name in ctx.timed_out:
            ctx.skip_call()
            ctx.add(self.name, name, Status.SKIP, "the export already timed out")
            return
        server = ctx.server
        before = len(server.requests) if server is not None else 0
        data = ctx.valid_input(call.export)
        failure = ctx.call(ctx.module.blocked, name, data, self.name).failure
        reached = (len(server.requests) - before) if server is not None else 0
        if reached:
            detail = f"the server received {plural(reached, 'request')} despite the allow-list"
            ctx.add(self.name, name, Status.FAIL, detail)
        elif failure is not None and name in ctx.declined and _declines(ctx, call, failure):
            detail = (
                "declines here too (typed not_implemented, no HTTP); the server received nothing"
            )
            ctx.add(self.name, name, Status.PASS, detail)
        elif failure is not None and failure.kind is FailureKind.HOST_NOT_ALLOWED:
            observed = "" if server is not None else " (not observable with --base-url)"
            detail = f"host not allowed: {failure.url}; the server received nothing{observed}"
            ctx.add(self.name, name, Status.PASS, detail)
        elif failure is None:
            ctx.add(self.name, name, Status.FAIL, "answered: expected host-not-allowed")
        else:
            detail = f"expected host-not-allowed, got {ctx.describe(failure)}"
            ctx.add(self.name, name, Status.FAIL, detail)


def _declines(ctx: CheckContext, call: calls.Call, failure: PluginFailure) -> bool:
    """The blocked plugin answered the same typed error the main one declined with."""
    document, problem = ctx.typed_error(call, failure)
    return (
        problem is None
        and failure.plugin_message is not None
        and (ctx.declined[call.export.name].endswith(_message(document)))
    )


def _message(document: object) -> str:
    if isinstance(document, dict):
        for value in document.values():
            if isinstance(value, dict):
                return str(value.get("message", ""))
    return ""
