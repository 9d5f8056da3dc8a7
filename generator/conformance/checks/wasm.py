"""`wasm`: the file is a WebAssembly module (its header is read, nothing is run)."""

from __future__ import annotations

from generator.conformance.context import CheckContext
from generator.conformance.report import Status, plural


class WasmCheck:
    name = "wasm"
    verdict = "not WebAssembly ({})"

    def run(self, ctx: CheckContext) -> str | None:
        data = ctx.module.data
        try:
            header = ctx.bindings.read_wasm_header(data)
        except (ValueError, UnicodeDecodeError) as exc:
            reason = str(exc).removeprefix("not a WebAssembly module ").strip("()")
            ctx.add(self.name, None, Status.FAIL, f"not WebAssembly: {reason}")
            return reason
        ctx.module.header = header
        functions = header.function_exports
        ctx.add(
            self.name,
            None,
            Status.PASS,
            f"WebAssembly module, {len(data):,} bytes, {plural(len(functions), 'function export')}"
            + (", imports WASI" if header.needs_wasi else ""),
        )
        return None
