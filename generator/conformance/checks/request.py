"""`request`: a request an export builds for the host to send (`ir.exchange` BUILDS_REQUEST) goes
under the configured `base_url`, and reaches the server when the verifier sends it the host's
way (the runtime's HTTP policy, only the server's origin allowed). The loopback server answers
it with the protocol's recorded response, which the protocol's parse exports then get."""

from __future__ import annotations

from urllib.parse import urlsplit

from generator import ir
from generator.conformance import http_wire
from generator.conformance.context import CheckContext, Exchanged
from generator.conformance.report import Status, plural
from generator.hosttools.bindings import PluginFailure
from generator.ir import calls, exchange


class RequestCheck:
    name = "request"

    def applies(self, spec: ir.Spec, call: calls.Call) -> bool:
        return exchange.part_of(spec, call.export.name, exchange.Role.BUILDS_REQUEST) is not None

    def planned_calls(self, call: calls.Call) -> int:
        return 0  # it sends the output of the `call` check

    def run(self, ctx: CheckContext, call: calls.Call) -> None:
        name = call.export.name
        part = exchange.part_of(ctx.spec, name, exchange.Role.BUILDS_REQUEST)
        assert part is not None
        value = ctx.decoded.get(name)
        if value is None:
            reason = ctx.declined.get(name, "no valid request to send (see `call`)")
            ctx.add(self.name, name, Status.SKIP, reason)
            return
        request = http_wire.read_request(value)
        if isinstance(request, str):
            ctx.add(self.name, name, Status.FAIL, request)
            return
        base = ctx.base_url
        config_values = ctx.config.values() if isinstance(ctx.config, dict) else ()
        if not base or base not in config_values:
            detail = "the configuration sets no base URL, so none can be required"
            ctx.add(self.name, name, Status.SKIP, detail)
            return
        shown = f"{request.method} {request.url}"
        if not _under(request.url, base):
            detail = f"{shown} is not under the configured base_url {base}; not sent"
            ctx.add(self.name, name, Status.FAIL, detail)
            return
        self._send(ctx, name, part.protocol, request, shown)

    def _send(
        self,
        ctx: CheckContext,
        name: str,
        protocol: str,
        request: http_wire.WireRequest,
        shown: str,
    ) -> None:
        server = ctx.server
        recording = ctx.responses.get(protocol)
        replay = None
        if server is not None and recording is not None:
            replay = server.replay(recording.body, recording.content_type)
        before = len(server.requests) if server is not None else 0
        origin = ctx.bindings.origin_of(ctx.base_url)
        meta = {"method": request.method, "url": request.url, "headers": request.headers}
        result = ctx.bindings.send_http(
            [origin] if origin else [], meta, request.body, timeout_ms=ctx.timeout_ms
        )
        if server is not None and replay is not None:
            server.withdraw(replay)
        if isinstance(result, PluginFailure):
            ctx.add(self.name, name, Status.FAIL, f"{shown}: sending it failed: {result}")
            return
        if server is not None:
            received = server.requests[before:]
            target = urlsplit(request.url)
            path = target.path + (f"?{target.query}" if target.query else "")
            if not received:
                ctx.add(self.name, name, Status.FAIL, f"{shown}: the server received nothing")
                return
            got = received[0]
            if (got.method, got.path) != (request.method, path):
                detail = f"{shown}: the server received {got.method} {got.path}"
                ctx.add(self.name, name, Status.FAIL, detail)
                return
        answered = f"{result.status}, {plural(len(result.body), 'byte')}"
        if 200 <= result.status <= 299:
            source = f"the server's answer to {name}"
            ctx.exchanges[protocol] = Exchanged(result, source, recorded=replay is not None)
        what = "an answer"
        if replay is not None and recording is not None:
            what = f"the recorded {recording.name} response"
        detail = f"{shown} (under base_url) reached the server, which sent {what} ({answered})"
        ctx.add(self.name, name, Status.PASS, detail)


def _under(url: str, base: str) -> bool:
    root = base.rstrip("/")
    return url == root or url.startswith(root + "/") or url.startswith(root + "?")
