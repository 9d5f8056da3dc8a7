"""`load`: the module compiles and instantiates under the verifier's manifest (an empty config,
the server's origin allowed), and once more with an allow-list that excludes the server."""

from __future__ import annotations

from generator.conformance.context import CheckContext
from generator.conformance.report import Status
from generator.hosttools.bindings import PluginFailed

BLOCKED_HOST_ALLOWLIST = ("allowed.invalid",)
"""The allow-list of the `allowed-hosts` check: a reserved name (RFC 2606), never the server."""


class LoadCheck:
    name = "load"
    verdict = "cannot be loaded"

    def run(self, ctx: CheckContext) -> str | None:
        header = ctx.module.header
        assert header is not None, "the wasm check did not run"
        wasi = header.needs_wasi
        origin = ctx.bindings.origin_of(ctx.base_url)
        hosts = [origin] if origin is not None else []
        try:
            ctx.module.main, ctx.module.blocked = ctx.bindings.open_unprobed(
                ctx.module.data,
                wasi=wasi,
                timeout_ms=ctx.timeout_ms,
                exports=frozenset(e.name for e in ctx.spec.exports),
                allow_lists=(hosts, BLOCKED_HOST_ALLOWLIST),
            )
        except PluginFailed as exc:
            ctx.add(self.name, None, Status.FAIL, str(exc))
            return str(exc)
        ctx.add(
            self.name,
            None,
            Status.PASS,
            f"compiled and instantiated (WASI {'on' if wasi else 'off'}, "
            f"allowed hosts: {', '.join(hosts) or 'none'})",
        )
        return None
