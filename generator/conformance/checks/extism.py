"""`extism`: the module imports Extism's kernel (`extism:host/env`)."""

from __future__ import annotations

from generator.conformance.context import CheckContext
from generator.conformance.report import Status

KERNEL_MODULE = "extism:host/env"


class ExtismCheck:
    name = "extism"
    verdict = "not a QueryMT plugin: {}"

    def run(self, ctx: CheckContext) -> str | None:
        assert ctx.module.header is not None, "the wasm check did not run"
        kernel = sorted(n for m, n in ctx.module.header.imports if m == KERNEL_MODULE)
        if not kernel:
            ctx.add(self.name, None, Status.FAIL, f"imports nothing from {KERNEL_MODULE}")
            return "not an Extism module"
        ctx.add(self.name, None, Status.PASS, f"imports {len(kernel)} Extism kernel functions")
        return None
